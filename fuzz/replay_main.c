/*
 * main() for the fuzz targets when they are built without libFuzzer: run
 * LLVMFuzzerTestOneInput on every file of the directories and files given.
 * `make test` uses it to replay fuzz/corpus/<target> and
 * fuzz/regressions/<target> under ASan/UBSan; a bad input aborts the run.
 */
/* 64-bit inode numbers and offsets on 32-bit targets too: without it,
 * readdir() on armhf fails with EOVERFLOW on a filesystem with large inodes. */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

static unsigned passed;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *bigger = realloc(buf, cap);
            if (!bigger) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = bigger;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        if (!got)
            break;
        len += got;
    }
    fclose(f);
    /* A copy of exactly `len` bytes, so ASan catches any read past the input. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    if (len)
        memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    passed++;
    return 0;
}

/* Files of a directory in name order, so runs are reproducible. */
static int run_dir(const char *dir)
{
    struct dirent **list;
    int n = scandir(dir, &list, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: cannot read %s\n", dir);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
        if (list[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
            run_file(path) != 0)
            rc = -1;
        free(list[i]);
    }
    free(list);
    return rc;
}

/* argv[1] is the corpus: it must exist and hold inputs, or the test would
 * pass having run nothing. Later arguments (a regressions directory) may be
 * missing or empty. */
int main(int argc, char **argv)
{
    int failed = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS [MORE ...]\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        unsigned before = passed;
        if (stat(argv[i], &st) != 0) {
            if (i == 1) {
                fprintf(stderr, "replay: the corpus %s does not exist\n", argv[i]);
                failed++;
            }
            continue;
        }
        if ((S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i])) != 0)
            failed++;
        else if (i == 1 && passed == before) {
            fprintf(stderr, "replay: the corpus %s holds no inputs\n", argv[i]);
            failed++;
        }
    }
    printf("%u passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
