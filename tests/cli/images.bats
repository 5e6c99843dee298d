#!/usr/bin/env bats
# images.bats - container images (docs/DESIGN.md, "Container images"):
# `docker save` and OCI layout tars are scanned as the file system the
# image runs with, whiteouts applied, findings named REF:/path with the
# image and the layer as attributes; hostile manifests give a warning and
# the tar is still scanned; a tar that is no image is scanned as before.
# The images are built here by tests/gen/mkimage.py (python3 tarfile,
# json, hashlib: no docker).

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    make_fixtures
    export I="$BATS_FILE_TMPDIR/img"
    mkdir -p "$I"
    for kind in docker oci plain huge deep outside twice dotdot notjson \
                badlayer; do
        python3 "$KENSA_TOP/tests/gen/mkimage.py" "$kind" "$I/$kind.tar" "$FX"
    done
}

# warned FILE TEXT: a warning record of FILE's scan holds TEXT
warned() {
    run --separate-stderr k scan --json "$I/$1"
    echo "$output" | jq_any "select(.event.kind!=\"alert\") | (.error.message // \"\" | contains(\"$2\"))"
}

@test "docker save: deleted and opaque-hidden jars are not reported, the added one is" {
    run --separate-stderr k scan --json "$I/docker.tar"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | count_alerts)" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.path | endswith("docker.tar!/alpine:3.19:/srv/x.jar")'
    echo "$output" | jq_alerts '.package.version == "2.15.0"'
    echo "$output" | jq_alerts '.container.image.name == "alpine" and .container.image.tag == "3.19"'
    echo "$output" | jq_alerts '.container.image.hash.all[0] | test("^sha256:[0-9a-f]{64}$")'
    # the layer: the third one's diff id, sha256 of its tar
    layer=$(python3 -c '
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
m = json.load(t.extractfile("manifest.json"))[0]
c = json.load(t.extractfile(m["Config"]))
print(c["rootfs"]["diff_ids"][2])' "$I/docker.tar")
    echo "$output" | jq_alerts ".kensa.image.layer == \"$layer\""
    [[ "$output" != *blobs/sha256* ]]
    [[ "$output" != *layer.tar* ]]
}

@test "kensa log4j reads an image too, text names the path inside it" {
    run --separate-stderr k log4j "$I/docker.tar"
    [ "$status" -eq 1 ]
    [[ "$output" == *"docker.tar!/alpine:3.19:/srv/x.jar"* ]]
    [[ "$output" != *opt/app* ]]
    [[ "$output" != *data/old* ]]
}

@test "OCI layout with gzip'd layers: a replaced jar is reported once, its last copy" {
    run --separate-stderr k scan --json "$I/oci.tar"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | count_alerts)" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.path | endswith("oci.tar!/registry.example/app:1.0:/app/lib.jar")'
    echo "$output" | jq_alerts '.package.version == "2.16.0"'
    echo "$output" | jq_alerts '.container.image.name == "registry.example/app" and .container.image.tag == "1.0"'
    echo "$output" | jq_alerts '.kensa.image.layer | test("^sha256:[0-9a-f]{64}$")'
}

@test "a plain tar holding a manifest.json is scanned as before, quietly" {
    run --separate-stderr k scan --json "$I/plain.tar"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.path | endswith("plain.tar!/opt/app/log4j-core-2.14.1.jar")'
    [ "$(echo "$output" | jq -r 'select(.event.kind!="alert") | .error.message // empty' | wc -l)" -eq 0 ]
}

@test "a huge manifest: a warning, and the tar still scanned as a plain tar" {
    warned huge.tar "manifest.json: larger than 4 MiB; scanned as a plain tar"
    [ "$status" -eq 1 ]
    echo "$output" | jq_any 'select(.event.kind!="event") | .package.version == "2.15.0"'
}

@test "a deeply nested manifest: a warning, no crash" {
    warned deep.tar "nested too deep"
    [ "$status" -eq 1 ]
}

@test "a manifest that is not JSON: a warning" {
    warned notjson.tar "not valid JSON"
}

@test "layers and config pointing outside the tar or missing: warnings, nothing read" {
    warned outside.tar "../../etc/shadow not in the image"
    [ "$status" -eq 0 ]
    echo "$output" | jq_any 'select(.event.kind!="alert") | (.error.message // "" | contains("nope/layer.tar not in the image"))'
    echo "$output" | jq_any 'select(.event.kind!="alert") | (.error.message // "" | contains("/etc/passwd not in the image"))'
}

@test "a layer listed twice: a warning, applied once, its jar reported once" {
    warned twice.tar "listed twice, applied once"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | count_alerts)" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.path | endswith("twice.tar!/twice:1:/srv/x.jar")'
}

@test "a member climbing out of the image (../../etc) is refused, the others scanned" {
    warned dotdot.tar "member ../../etc/log4j-core-2.14.1.jar escapes the image's root"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | count_alerts)" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.path | endswith("dotdot:1:/ok/x.jar")'
}

@test "a layer that is not a tar: a warning, the other layers scanned" {
    warned badlayer.tar "bad:1: layer sha256:"
    [ "$status" -eq 1 ]
    echo "$output" | jq_alerts '.kensa.path | endswith("bad:1:/srv/x.jar")'
}

@test "an image inside a folder scan and under --lang ja" {
    mkdir -p "$BATS_TEST_TMPDIR/d"
    cp "$I/docker.tar" "$I/twice.tar" "$BATS_TEST_TMPDIR/d/"
    run --separate-stderr k scan --json --lang ja "$BATS_TEST_TMPDIR/d"
    [ "$status" -eq 1 ]
    [ "$(echo "$output" | count_alerts)" -eq 2 ]
    echo "$output" | jq_any 'select(.event.kind!="alert") | (.kensa.message // "" | contains("2 回記載"))'
}

@test "kensa image DIR: an unpacked OCI layout folder is scanned as the image" {
    D="$BATS_TEST_TMPDIR/d"; mkdir -p "$D"
    python3 "$KENSA_TOP/tests/gen/mkimage.py" oci-dir "$D/oci" "$FX"
    run --separate-stderr k image --json "$D/oci"
    [ "$status" -eq 1 ]
    # as the tar: the replaced jar once, its last copy; the deleted folder's jar not at all
    echo "$output" | no_run | jqe -s --arg d "$D/oci" 'length == 1 and
        .[0].kensa.path == ($d + "!/registry.example/app:1.0:/app/lib.jar") and
        .[0].package.version == "2.16.0" and .[0].container.image.name == "registry.example/app" and
        .[0].container.image.tag == "1.0" and (.[0].kensa.image.layer | test("^sha256:[0-9a-f]{64}$"))'
    [[ "$output" != *blobs/sha256* ]]
    echo "$output" | python3 "$KENSA_TOP/tests/helpers/ecs_check.py" --expect state,run
    run --separate-stderr k image "$D/oci"
    [[ "$output" == *"$D/oci!/registry.example/app:1.0:/app/lib.jar"* ]]
    # a folder that is no layout, a missing one: exit 2 with a warning
    mkdir -p "$D/empty"
    run --separate-stderr k image --json "$D/empty"
    [ "$status" -eq 2 ]
    echo "$output" | jqe -s 'any(.[]; .error.id == "image.dir" and (.error.message | contains("not an image layout folder")))' 
    run --separate-stderr k image --json "$D/missing"
    [ "$status" -eq 2 ]
    run --separate-stderr k image --root / "$D/oci"
    [ "$status" -eq 2 ]
}

@test "kensa image DIR never follows a link out of the folder: blob links, a linked blobs/, FIFOs" {
    D="$BATS_TEST_TMPDIR/h"; mkdir -p "$D"
    for kind in oci-dir-link oci-dir-blobs-link oci-dir-fifo; do
        python3 "$KENSA_TOP/tests/gen/mkimage.py" "$kind" "$D/$kind" "$FX"
    done
    # the first layer (2.14.1 jars) lives outside, behind a link: never read
    run --separate-stderr timeout 20 "$KENSA" image --threads 1 --json --no-summary "$D/oci-dir-link"
    [ "$status" -eq 1 ]
    [[ "$output" != *"2.14.1"* ]]
    echo "$output" | jqe -s 'any(.[]; .error.id == "image.dir_refused")'
    echo "$output" | no_run | jqe -s '[.[] | select(.event.kind != "event")] | length == 1 and .[0].package.version == "2.16.0"'
    # blobs/ is a link to a folder outside: nothing read, exit 2
    run --separate-stderr timeout 20 "$KENSA" image --threads 1 --json --no-summary "$D/oci-dir-blobs-link"
    [ "$status" -eq 2 ]
    echo "$output" | jqe -s 'any(.[]; .error.id == "image.dir_refused") and
        ([.[] | select(.event.kind == "alert" or .event.kind == "state")] | length == 0)'
    # a FIFO in place of a layer: refused without blocking
    run --separate-stderr timeout 20 "$KENSA" image --threads 1 --json --no-summary "$D/oci-dir-fifo"
    [ "$status" -eq 1 ]
    echo "$output" | jqe -s 'any(.[]; .error.id == "image.dir_refused")'
    [[ "$output" != *"2.14.1"* ]]
}
