/*
 * image.h - container images read from an unpacked layout folder
 * (kensa image DIR); image tars are a format like the others
 * (format_image, formats/registry.def).
 */
#ifndef KENSA_FORMATS_IMAGE_H
#define KENSA_FORMATS_IMAGE_H

#include "core/engine.h"

/*
 * Scan the images of the layout folder open at `dirfd` (an OCI image
 * layout: oci-layout, index.json, blobs/sha256/...; or an unpacked
 * `docker save`: manifest.json and what it names) as image.c scans an
 * image tar: layers applied with whiteouts, members named REF:/path
 * under `obj` (the folder, depth 0, no bytes of its own).  Every file is
 * opened beneath dirfd without following a symbolic link and must be a
 * regular file; what is refused or missing is a warning.  dirfd stays
 * the caller's.  False when no image could be read from it (a warning
 * says why).
 */
bool image_dir_walk(struct kobj *obj, int dirfd);

#endif
