# Sourced by the bench scripts: starts `vivasim serve` for the world $world (key API and Entra ID
# on 127.0.0.1, port 0) with its output in $dir, stops it on exit, and sets base, authority,
# client_id and VIVALINK_CLIENT_SECRET (exported) for the vivalink configuration, which
# write_config writes.
# Needs: bin (vivasim's folder), world, dir, python.
"$bin/vivasim" serve --dir "$world" --port 0 >"$dir/serve.out" 2>"$dir/serve.err" &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true; wait $serve_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$dir/serve.out" ] && break; sleep 0.1; done
base=$(sed -nE 's/.*"baseUrl":"([^"]+)".*/\1/p' "$dir/serve.out" | head -1)
authority=$(sed -nE 's/.*"authority":"([^"]+)".*/\1/p' "$dir/serve.out" | head -1)
[ -n "$base" ] || { echo "vivasim serve did not start: $(cat "$dir/serve.err")" >&2; exit 1; }
client_id=$($python -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_id"])' "$world/partner.json")
export VIVALINK_CLIENT_SECRET
VIVALINK_CLIENT_SECRET=$($python -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_secret"])' "$world/partner.json")

# write_config FILE DATA_DIR STORE_URL DB_URL [EXTRA_TOML]: a vivalink configuration on the
# simulated key API, with the key store in $dir/keys.
write_config() {
  cat >"$1" <<TOML
data_dir = "$2"
[storage]
url = "$3"
[keys]
keystore = "$dir/keys"
api_base_url = "$base"
authority = "$authority"
client_id = "$client_id"
[database]
url = "$4"
[log]
level = "warn"
${5:-}
TOML
}
