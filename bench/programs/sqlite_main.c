/* SQLite's amalgamation as a wasm32-wasi program: "a large real C program"
 * for the benchmarks, and a realistic guest to profile and debug. SQLite is
 * built with SQLITE_OS_OTHER, so it has no operating-system layer; this file
 * supplies a minimal VFS that is enough for in-memory databases (files can
 * not be opened), then runs a deterministic SQL workload.
 *
 *   sqlite-O2.wasm [ROWS]     default 20000 rows */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sqlite3.h"

static int no_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags) {
    (void)vfs; (void)name; (void)flags; (void)out_flags;
    file->pMethods = 0;
    return SQLITE_CANTOPEN;
}
static int no_delete(sqlite3_vfs *vfs, const char *name, int sync) { (void)vfs; (void)name; (void)sync; return SQLITE_OK; }
static int no_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
    (void)vfs; (void)name; (void)flags;
    *out = 0;
    return SQLITE_OK;
}
static int full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out) {
    (void)vfs;
    sqlite3_snprintf(n, out, "%s", name);
    return SQLITE_OK;
}
/* Deterministic "randomness" and a fixed clock keep every run identical. */
static int randomness(sqlite3_vfs *vfs, int n, char *out) {
    (void)vfs;
    for (int i = 0; i < n; i++) out[i] = (char)(i * 31 + 7);
    return n;
}
static int sleep_us(sqlite3_vfs *vfs, int us) { (void)vfs; return us; }
static int current_time(sqlite3_vfs *vfs, double *now) { (void)vfs; *now = 2461000.5; return SQLITE_OK; }
static int last_error(sqlite3_vfs *vfs, int n, char *out) { (void)vfs; (void)n; (void)out; return 0; }

static sqlite3_vfs memory_only_vfs = {
    1, 0, 256, 0, "memory-only", 0,
    no_open, no_delete, no_access, full_pathname,
    0, 0, 0, 0, randomness, sleep_us, current_time, last_error,
};

int sqlite3_os_init(void) { return sqlite3_vfs_register(&memory_only_vfs, 1); }
int sqlite3_os_end(void) { return SQLITE_OK; }

static int print_row(void *unused, int columns, char **values, char **names) {
    (void)unused;
    for (int i = 0; i < columns; i++)
        printf("%s%s=%s", i ? " " : "", names[i], values[i] ? values[i] : "NULL");
    printf("\n");
    return 0;
}

static void run(sqlite3 *db, const char *sql) {
    char *error = 0;
    if (sqlite3_exec(db, sql, print_row, 0, &error) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s\n", error);
        sqlite3_free(error);
        exit(1);
    }
}

/* The benchmark's "rebuilt with one function changed" build sets another
 * value (bench/programs/build-sqlite.sh). */
#ifndef DEFAULT_ROWS
#define DEFAULT_ROWS 20000
#endif

int main(int argc, char **argv) {
    int rows = argc > 1 ? atoi(argv[1]) : DEFAULT_ROWS;
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        fprintf(stderr, "cannot open an in-memory database\n");
        return 1;
    }
    char sql[512];
    run(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, score REAL)");
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
             "INSERT INTO t SELECT i, i %% 97, printf('name-%%08d', (i * 7919) %% 100003), (i * 37 %% 1000) / 10.0 FROM n",
             rows);
    run(db, sql);
    run(db, "CREATE INDEX t_name ON t(name)");
    run(db, "SELECT count(*) AS n, sum(score) AS total FROM t");
    run(db, "SELECT grp, count(*) AS n, round(avg(score), 3) AS mean FROM t GROUP BY grp ORDER BY mean DESC LIMIT 3");
    run(db, "SELECT name FROM t WHERE name > 'name-0005' ORDER BY name LIMIT 2");
    sqlite3_close(db);
    return 0;
}
