/*
 * replay_main.c - a main() for a libFuzzer target without libFuzzer: feeds
 * every file of the corpus directory given as argv[1] (sorted by name) to the
 * target's LLVMFuzzerTestOneInput, once each, from a buffer of exactly the
 * file's size (so a sanitizer build catches a read past the end). The target
 * aborts on a broken property; a crash, a sanitizer report or an empty corpus
 * fails the run. Built with each tests/fuzz/fuzz_*.c as replay_fuzz_NAME and
 * run by ctest as fuzz/NAME (CMakeLists.txt).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The whole file in a heap buffer of exactly its size; NULL when unreadable. */
static uint8_t *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    struct stat st;

    if (!f)
        return NULL;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0)
        goto out;
    *size = (size_t)st.st_size;
    data = malloc(*size ? *size : 1);
    if (data && *size && fread(data, 1, *size, f) != *size) {
        free(data);
        data = NULL;
    }
out:
    fclose(f);
    return data;
}

static int regular_file(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

int main(int argc, char **argv)
{
    struct dirent **names = NULL;
    int n, i, ran = 0, rc = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
        return 2;
    }
    n = scandir(argv[1], &names, regular_file, alphasort);
    if (n < 0) {
        perror(argv[1]);
        return 1;
    }
    for (i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        uint8_t *data;
        size_t size = 0;

        snprintf(path, sizeof path, "%s/%s", argv[1], names[i]->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        data = read_all(path, &size);
        if (!data) {
            fprintf(stderr, "cannot read %s\n", path);
            goto out;
        }
        printf("replay %s (%zu bytes)\n", names[i]->d_name, size);
        fflush(stdout);         /* the last name printed is the one that crashed */
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        ran++;
    }
    if (ran == 0) {
        fprintf(stderr, "%s: no seed files: an empty corpus replays nothing\n", argv[1]);
        goto out;
    }
    printf("%d inputs replayed from %s\n", ran, argv[1]);
    rc = 0;
out:
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}
