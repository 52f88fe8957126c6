#!/usr/bin/env bash
# Computes Shared Key and SAS signatures with openssl, independently of vivalink's C++ code, and
# writes them to vectors.txt beside this script (committed; azure_test compares against it).
#
# Each case's string-to-sign is assembled here by hand from the layouts in
# shared/AZURE_NOTES.md; the HMAC-SHA256 is openssl's, the base64 coreutils'.
# Format of vectors.txt: "<case>.<field>=<value>", with newlines in values written as "\n".
# Usage: tests/azure/make_vectors.sh  (rewrites tests/azure/vectors.txt)
set -euo pipefail
cd "$(dirname "$0")"

DEV_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
# A made-up key for the production-style cases (base64 of 32 arbitrary bytes).
TEST_KEY='dml2YWxpbmstdGVzdC1rZXktMzItYnl0ZXMtbG9uZyE='

sign() {  # sign <base64 key> <string-to-sign>
  local hexkey
  hexkey=$(printf '%s' "$1" | base64 -d | xxd -p -c 256)
  printf '%s' "$2" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | base64 -w0
}

out=vectors.txt.tmp
: >"$out"
emit() {  # emit <case> <key> <string-to-sign>
  local escaped
  escaped=$(printf '%s' "$3" | awk 'BEGIN{ORS=""} NR>1{print "\\n"} {print}')
  # awk drops a trailing empty line; put back the "\n" the account SAS ends with.
  if [[ "$3" == *$'\n' ]]; then escaped="$escaped\\n"; fi
  printf '%s.string_to_sign=%s\n' "$1" "$escaped" >>"$out"
  printf '%s.signature=%s\n' "$1" "$(sign "$2" "$3")" >>"$out"
}
NL=$'\n'

# 1. The Put Blob that worked against Azurite (AZURE_NOTES): IP-style URL, account twice.
sts="PUT${NL}${NL}${NL}100000${NL}${NL}application/octet-stream${NL}${NL}${NL}${NL}${NL}${NL}${NL}"
sts+="x-ms-blob-type:BlockBlob${NL}x-ms-date:Fri, 27 Nov 2026 13:00:07 GMT${NL}"
sts+="x-ms-meta-batchid:20261127T120000Z${NL}x-ms-version:2025-11-05${NL}"
sts+="/devstoreaccount1/devstoreaccount1/partner-drop/incoming/20261127T120000Z/part-0001.enc"
emit sharedkey_azurite_put "$DEV_KEY" "$sts"

# 2. List Blobs on a production URL: query parameters sorted by name, values decoded.
#    GET https://myaccount.blob.core.windows.net/drops?restype=container&comp=list&prefix=run%201%2F&maxresults=10&include=metadata
sts="GET${NL}${NL}${NL}${NL}${NL}${NL}${NL}${NL}${NL}${NL}${NL}${NL}"
sts+="x-ms-date:Sat, 28 Nov 2026 08:30:00 GMT${NL}x-ms-version:2025-11-05${NL}"
sts+="/myaccount/drops${NL}comp:list${NL}include:metadata${NL}maxresults:10${NL}prefix:run 1/${NL}restype:container"
emit sharedkey_prod_list "$TEST_KEY" "$sts"

# 3. Ranged conditional GET of a name with a space (path stays percent-encoded).
#    GET http://127.0.0.1:10000/devstoreaccount1/c/dir/a%20b.enc  If-Match: "0x8DABC"  x-ms-range
sts="GET${NL}${NL}${NL}${NL}${NL}${NL}${NL}${NL}\"0x8DABC\"${NL}${NL}${NL}${NL}"
sts+="x-ms-date:Fri, 27 Nov 2026 13:00:07 GMT${NL}x-ms-range:bytes=0-4194303${NL}x-ms-version:2025-11-05${NL}"
sts+="/devstoreaccount1/devstoreaccount1/c/dir/a%20b.enc"
emit sharedkey_range_ifmatch "$DEV_KEY" "$sts"

# 4. Container service SAS, sp=cw (the pipeline's write-only SAS). 16 lines, no trailing newline:
#    sp st se resource si sip spr sv sr snapshot ses rscc rscd rsce rscl rsct
sts="cw${NL}${NL}2026-12-31T00:00:00Z${NL}/blob/devstoreaccount1/partner-drop${NL}${NL}${NL}${NL}"
sts+="2025-11-05${NL}c${NL}${NL}${NL}${NL}${NL}${NL}${NL}"
emit sas_container_cw "$DEV_KEY" "$sts"

# 5. Blob service SAS with start, IP range and protocol, read only.
sts="r${NL}2026-11-27T00:00:00Z${NL}2026-11-28T00:00:00Z${NL}/blob/myaccount/drops/run1/metadata.json${NL}"
sts+="${NL}10.0.0.1-10.0.0.9${NL}https${NL}2025-11-05${NL}b${NL}${NL}${NL}${NL}${NL}${NL}${NL}"
emit sas_blob_r "$TEST_KEY" "$sts"

# 6. Account SAS: 10 fields each followed by a newline:
#    account sp ss srt st se sip spr sv ses
sts="myaccount${NL}rwdlacup${NL}bq${NL}sco${NL}${NL}2026-12-01T12:00:00Z${NL}${NL}https${NL}2025-11-05${NL}${NL}"
emit sas_account "$TEST_KEY" "$sts"

mv "$out" vectors.txt
echo "wrote $(wc -l <vectors.txt) lines to $(pwd)/vectors.txt"
