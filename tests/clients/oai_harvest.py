"""Harvests the register's OAI-PMH interface with Sickle (PyPI), as an aggregator would.

Usage: oai_harvest.py BASE_URL [FROM]

Prints one JSON object: the responseDate of the first response, the number of requests, and
every record (identifier, datestamp, deleted, setSpecs, Dublin Core titles and identifiers),
following resumption tokens to the end of the list. A harvest that matches nothing prints no
records.
"""

import json
import re
import sys

from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch


def main():
    base = sys.argv[1]
    args = {"metadataPrefix": "oai_dc", "ignore_deleted": False}
    if len(sys.argv) > 2:
        args["from"] = sys.argv[2]
    sickle = Sickle(base, max_retries=0, timeout=60)
    out = {"responseDate": None, "requests": 0, "records": []}
    try:
        records = sickle.ListRecords(**args)
    except NoRecordsMatch as e:
        out["noRecordsMatch"] = str(e)
        print(json.dumps(out))
        return
    out["responseDate"] = re.search(
        r"<responseDate>([^<]+)</responseDate>", records.oai_response.raw
    ).group(1)
    responses = [records.oai_response]
    for record in records:
        if records.oai_response is not responses[-1]:
            responses.append(records.oai_response)
        header = record.header
        metadata = getattr(record, "metadata", None) or {}
        out["records"].append(
            {
                "identifier": header.identifier,
                "datestamp": header.datestamp,
                "deleted": header.deleted,
                "sets": header.setSpecs,
                "titles": metadata.get("title", []),
                "identifiers": metadata.get("identifier", []),
            }
        )
    out["requests"] = len(responses)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
