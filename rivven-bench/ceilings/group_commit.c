/*
 * The group-commit ceiling of this machine's disk, without any JVM: one thread writes 256 MiB in
 * chunks of one uncompressed benchmark batch (103,433 bytes, as LogAppendBench) while a second
 * thread calls fdatasync every INTERVAL_US microseconds, as the engine's interval flush does; the
 * pass ends with a last fdatasync, so everything is durable when the time is taken.
 *
 *   gcc -O2 -pthread group_commit.c -o /tmp/group_commit
 *   /tmp/group_commit FILE INTERVAL_US MODE [CPU_US_PER_CHUNK [SYNC_FILE_RANGE_EVERY]]
 *
 * MODE 0 appends to a new file (what a log does); MODE 1 first writes the whole file and syncs
 * it, then overwrites it (no new blocks or size for the journal to commit). CPU_US_PER_CHUNK
 * spins that long before each write, standing in for an encoder's work. SYNC_FILE_RANGE_EVERY
 * starts writeback (sync_file_range) after every that many chunks. FILE is deleted afterwards.
 * docs/performance.md gives what it printed here.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TOTAL (256L << 20)
#define CHUNK 103433

static int fd;
static long interval_us;
static atomic_int done;
static atomic_long syncs;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *syncer(void *unused) {
    (void) unused;
    while (!atomic_load(&done)) {
        usleep(interval_us);
        if (fdatasync(fd) != 0) {
            perror("fdatasync");
            exit(1);
        }
        atomic_fetch_add(&syncs, 1);
    }
    return NULL;
}

static void write_chunk(const char *buf) {
    if (write(fd, buf, CHUNK) != CHUNK) {
        perror("write");
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s FILE INTERVAL_US MODE [CPU_US_PER_CHUNK [SYNC_FILE_RANGE_EVERY]]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    interval_us = atol(argv[2]);
    int overwrite = atoi(argv[3]) == 1;
    double spin = argc > 4 ? atof(argv[4]) * 1e-6 : 0;
    long sfr_every = argc > 5 ? atol(argv[5]) : 0;
    char *buf = malloc(CHUNK);
    memset(buf, 'x', CHUNK);
    fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    if (overwrite) {
        for (long w = 0; w < TOTAL + CHUNK; w += CHUNK) {
            write_chunk(buf);
        }
        fsync(fd);
        lseek(fd, 0, SEEK_SET);
    }
    pthread_t t;
    double t0 = now();
    pthread_create(&t, NULL, syncer, NULL);
    for (long w = 0, n = 1; w < TOTAL; w += CHUNK, n++) {
        for (double s = now(); now() - s < spin;) {
        }
        write_chunk(buf);
        if (sfr_every > 0 && n % sfr_every == 0) {
            sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        }
    }
    atomic_store(&done, 1);
    pthread_join(t, NULL);
    fdatasync(fd);
    double t1 = now();
    printf("%s interval=%ldus cpu=%.0fus/chunk: %.3f GB/s, %ld fdatasyncs\n", overwrite ? "overwrite" : "append",
           interval_us, spin * 1e6, TOTAL / 1e9 / (t1 - t0), atomic_load(&syncs) + 1);
    close(fd);
    unlink(path);
    return 0;
}
