"""Reads the register's JSON-LD with real linked-data tools: pyld expands each document and
writes N-Quads, rdflib parses them. The document loader serves only URLs of the register
itself (its @context), so nothing is fetched from the internet.

Usage: jsonld_rdf.py BASE URL...   (each URL answers one JSON-LD document, or NDJSON of them)
Prints JSON: {"documents": N, "contexts": [...], "triples": [[s, p, o, language, datatype], ...]}
"""
import json
import sys
import urllib.request

import rdflib
from pyld import jsonld

BASE = sys.argv[1].rstrip("/")
CONTEXTS = []


def fetch(url, accept):
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.headers.get("Content-Type", ""), answer.read().decode("utf-8")


def loader(url, options=None):
    if not url.startswith(BASE + "/"):
        raise jsonld.JsonLdError(
            "only the register's own documents are loaded", "loading document failed",
            {"url": url}, code="loading document failed")
    CONTEXTS.append(url)
    content_type, text = fetch(url, "application/ld+json")
    return {"contentType": "application/ld+json", "contextUrl": None,
            "documentUrl": url, "document": json.loads(text)}


jsonld.set_document_loader(loader)


def documents(url):
    content_type, text = fetch(url, "application/ld+json")
    if content_type.startswith("application/x-ndjson"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return [json.loads(text)]


def term(node):
    if isinstance(node, rdflib.Literal):
        return [str(node), node.language, str(node.datatype) if node.datatype else None]
    if isinstance(node, rdflib.BNode):
        return ["_:" + str(node), None, None]
    return [str(node), None, None]


count = 0
triples = set()
for url in sys.argv[2:]:
    for doc in documents(url):
        count += 1
        expanded = jsonld.expand(doc)
        nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
        graph = rdflib.Dataset()
        graph.parse(data=nquads, format="nquads")
        for s, p, o, _ in graph.quads((None, None, None, None)):
            subject, _, _ = term(s)
            obj, language, datatype = term(o)
            triples.add((subject, str(p), obj, language, datatype))

print(json.dumps({"documents": count, "contexts": sorted(set(CONTEXTS)),
                  "triples": sorted(list(t) for t in triples)}, ensure_ascii=False))
