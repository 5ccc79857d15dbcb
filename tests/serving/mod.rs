//! `ucr serve` processes for the tests that run the binary.

use std::process::Child;
use std::time::{Duration, Instant};

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `ucr serve` process, killed on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Server {
    /// The server started as `child` on `port`, answering or not.
    // Each test binary that includes this module calls only some of these.
    #[allow(dead_code)]
    pub fn started(child: Child, port: u16) -> Server {
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Whether the process has ended.
    #[allow(dead_code)]
    pub fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits (at most 60 s) until the server started as `child` on `port` is ready.
    #[allow(dead_code)]
    pub fn ready(child: Child, port: u16) -> Server {
        let server = Server::started(child, port);
        let client = reqwest::blocking::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while client
            .get(format!("{}/ready", server.base))
            .timeout(Duration::from_secs(2))
            .send()
            .map(|r| r.status().as_u16())
            .ok()
            != Some(200)
        {
            assert!(
                Instant::now() < deadline,
                "{} did not become ready",
                server.base
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
