#!/usr/bin/env python3
# mkimage.py KIND OUT JAR_DIR - build a container image tar without docker
# (tests/cli/images.bats, fuzz/corpus/image): `docker save` tars (the
# classic layout: ID/layer.tar, ID.json, manifest.json), OCI image layout
# tars (oci-layout, index.json, blobs/sha256/...) and hostile variants.
# KIND oci-dir writes the OCI layout as a folder OUT (kensa image DIR);
# oci-dir-link makes its first layer blob a symbolic link to a file
# outside (OUT.outside), oci-dir-blobs-link its blobs/ folder a link to
# one outside (OUT.blobs), and oci-dir-fifo a layer blob a FIFO: kensa
# must read none of them.
# JAR_DIR holds tests/gen/mkfixtures.py's plain/ jars.
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

KIND, OUT, FX = sys.argv[1], sys.argv[2], sys.argv[3]


def jar(v):
    with open(os.path.join(FX, 'plain', 'log4j-core-%s.jar' % v), 'rb') as f:
        return f.read()


def tar(entries):
    """entries: (name, bytes) for files, (name, None) for folders."""
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode='w', format=tarfile.PAX_FORMAT) as t:
        for name, data in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = 0
            if data is None:
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                t.addfile(ti)
            else:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    return b.getvalue()


def sha(b):
    return hashlib.sha256(b).hexdigest()


def docker_save(layers, tag='alpine:3.19', manifest=None, extra=()):
    """layers: list of layer tar bytes; returns the image tar."""
    diff = ['sha256:' + sha(l) for l in layers]
    config = json.dumps({'architecture': 'amd64', 'os': 'linux',
                         'rootfs': {'type': 'layers', 'diff_ids': diff}}).encode()
    cid = sha(config)
    ents = []
    names = []
    for i, l in enumerate(layers):
        lid = sha(b'layer%d' % i + l)
        ents += [(lid, None), (lid + '/VERSION', b'1.0'), (lid + '/layer.tar', l)]
        names.append(lid + '/layer.tar')
    ents.append((cid + '.json', config))
    if manifest is None:
        manifest = json.dumps([{'Config': cid + '.json', 'RepoTags': [tag],
                                'Layers': names}]).encode()
    ents += list(extra)
    ents.append(('manifest.json', manifest))
    return tar(ents)


def oci(layers, ref='registry.example/app:1.0'):
    blobs = []
    descs = []
    for l in layers:
        gz = gzip.compress(l, mtime=0)
        blobs.append(gz)
        descs.append({'mediaType': 'application/vnd.oci.image.layer.v1.tar+gzip',
                      'digest': 'sha256:' + sha(gz), 'size': len(gz)})
    config = json.dumps({'rootfs': {'type': 'layers',
                                    'diff_ids': ['sha256:' + sha(l) for l in layers]}}).encode()
    blobs.append(config)
    man = json.dumps({'schemaVersion': 2,
                      'mediaType': 'application/vnd.oci.image.manifest.v1+json',
                      'config': {'mediaType': 'application/vnd.oci.image.config.v1+json',
                                 'digest': 'sha256:' + sha(config), 'size': len(config)},
                      'layers': descs}).encode()
    blobs.append(man)
    index = json.dumps({'schemaVersion': 2, 'manifests': [
        {'mediaType': 'application/vnd.oci.image.manifest.v1+json',
         'digest': 'sha256:' + sha(man), 'size': len(man),
         'annotations': {'org.opencontainers.image.ref.name': ref}}]}).encode()
    ents = [('oci-layout', b'{"imageLayoutVersion": "1.0.0"}'), ('index.json', index),
            ('blobs', None), ('blobs/sha256', None)]
    ents += [('blobs/sha256/' + sha(b), b) for b in blobs]
    return tar(ents)


V = jar('2.14.1')
L1 = tar([('opt', None), ('opt/app', None), ('opt/app/log4j-core-2.14.1.jar', V),
          ('opt/app/readme.txt', b'hello\n'), ('data/old/app.jar', V)])
L2 = tar([('opt/app/.wh.log4j-core-2.14.1.jar', b'')])
L3 = tar([('srv/x.jar', jar('2.15.0')), ('data/old/.wh..wh..opq', b''),
          ('data/old/new.txt', b'new\n')])

if KIND == 'docker':
    out = docker_save([L1, L2, L3])
elif KIND == 'oci' or KIND.startswith('oci-dir'):
    # a jar replaced in a later layer (reported once, the last copy), a
    # folder deleted whole, a root entry written as "./"
    O1 = tar([('./', None), ('./app/lib.jar', V), ('./gone/log4j-core-2.14.1.jar', V)])
    O2 = tar([('./app/lib.jar', jar('2.16.0')), ('./.wh.gone', b'')])
    out = oci([O1, O2])
elif KIND == 'plain':
    out = tar([('opt/app/log4j-core-2.14.1.jar', V), ('manifest.json', b'{"name": "webapp"}')])
elif KIND == 'huge':
    out = docker_save([L3], manifest=b'[' + b' ' * (5 << 20) + b']')
elif KIND == 'deep':
    out = docker_save([L3], manifest=b'[' * 100000 + b']' * 100000)
elif KIND == 'outside':
    out = docker_save([L3], manifest=json.dumps(
        [{'Config': '../../etc/passwd', 'RepoTags': ['evil:1'],
          'Layers': ['../../etc/shadow', '/etc/passwd', 'nope/layer.tar']}]).encode())
elif KIND == 'twice':
    lid = sha(b'layer0' + L3)
    out = docker_save([L3], manifest=json.dumps(
        [{'Config': 'x.json', 'RepoTags': ['twice:1'],
          'Layers': [lid + '/layer.tar', lid + '/layer.tar']}]).encode())
elif KIND == 'dotdot':
    out = docker_save([tar([('../../etc/log4j-core-2.14.1.jar', V), ('ok/x.jar', V)])],
                      tag='dotdot:1')
elif KIND == 'notjson':
    out = docker_save([L3], manifest=b'{"Layers": [')
elif KIND == 'badlayer':
    out = docker_save([b'this is not a tar' * 100, L3], tag='bad:1')
else:
    sys.exit('unknown kind ' + KIND)

def write_dir(tar_bytes, out):
    os.makedirs(out)
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as t:
        for m in t.getmembers():
            p = os.path.join(out, m.name)
            if m.isdir():
                os.makedirs(p, exist_ok=True)
            else:
                with open(p, 'wb') as f:
                    f.write(t.extractfile(m).read())


def first_layer(out):
    idx = json.load(open(os.path.join(out, 'index.json')))
    mdg = idx['manifests'][0]['digest'][7:]
    man = json.load(open(os.path.join(out, 'blobs', 'sha256', mdg)))
    return os.path.join(out, 'blobs', 'sha256', man['layers'][0]['digest'][7:])


if KIND.startswith('oci-dir'):
    write_dir(out, OUT)
    if KIND == 'oci-dir-link':
        b = first_layer(OUT)
        os.rename(b, OUT + '.outside')
        os.symlink(os.path.abspath(OUT + '.outside'), b)
    elif KIND == 'oci-dir-blobs-link':
        os.rename(os.path.join(OUT, 'blobs'), OUT + '.blobs')
        os.symlink(os.path.abspath(OUT + '.blobs'), os.path.join(OUT, 'blobs'))
    elif KIND == 'oci-dir-fifo':
        b = first_layer(OUT)
        os.unlink(b)
        os.mkfifo(b)
else:
    with open(OUT, 'wb') as f:
        f.write(out)
