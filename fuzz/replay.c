/*
 * replay.c - a plain main() for the fuzz harnesses, so a normal (gcc or
 * sanitizer) build runs every corpus file through them in `make test`, as
 * sqlite's fuzzcheck does.  Usage: replay_NAME FILE|DIR...
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if(!f) {
        perror(path);
        return 1;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for(;;) {
        if(len == cap) {
            cap = cap ? cap * 2 : 65536;
            if(cap > (64u << 20))
                break;
            uint8_t *n = realloc(buf, cap);
            if(!n)
                break;
            buf = n;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        if(!got)
            break;
        len += got;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf ? buf : (const uint8_t *)"", len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 0, n = 0;
    for(int i = 1; i < argc; i++) {
        struct stat st;
        if(stat(argv[i], &st)) {
            perror(argv[i]);
            rc = 1;
            continue;
        }
        if(!S_ISDIR(st.st_mode)) {
            rc |= run_file(argv[i]);
            n++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *de;
        while(d && (de = readdir(d))) {
            if(de->d_name[0] == '.')
                continue;
            char p[4096];
            snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name);
            rc |= run_file(p);
            n++;
        }
        if(d)
            closedir(d);
    }
    printf("replayed %d inputs\n", n);
    return rc;
}
