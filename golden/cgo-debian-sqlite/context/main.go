// go-cgo-sqlite: a notes service on :8094 backed by SQLite through cgo, linked
// against Debian's libsqlite3 (libsqlite3-dev at build time, the shared library
// libsqlite3.so.0 from libsqlite3-0 at run time). No third-party Go module: the
// C API is called directly. GET / -> "notes: sqlite 3.40.1 rows=3 first=buy milk".
package main

/*
#cgo LDFLAGS: -lsqlite3
#include <sqlite3.h>
#include <stdlib.h>

static int count_cb(void *p, int n, char **v, char **c) { *(int *)p = atoi(v[0]); return 0; }
static int first_cb(void *p, int n, char **v, char **c) {
	char *dst = (char *)p;
	int i = 0;
	for (; v[0][i] && i < 63; i++) dst[i] = v[0][i];
	dst[i] = 0;
	return 1; // stop after the first row
}
static int seed(sqlite3 *db) {
	return sqlite3_exec(db,
		"CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);"
		"INSERT INTO notes(body) VALUES ('buy milk'), ('ship dfslim'), ('small images');",
		0, 0, 0);
}
static int count(sqlite3 *db) { int n = -1; sqlite3_exec(db, "SELECT count(*) FROM notes", count_cb, &n, 0); return n; }
static void first(sqlite3 *db, char *out) { out[0] = 0; sqlite3_exec(db, "SELECT body FROM notes ORDER BY id", first_cb, out, 0); }
*/
import "C"

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"unsafe"
)

func main() {
	var db *C.sqlite3
	name := C.CString(":memory:")
	defer C.free(unsafe.Pointer(name))
	if rc := C.sqlite3_open(name, &db); rc != C.SQLITE_OK {
		log.Fatalf("sqlite3_open: %d", int(rc))
	}
	if rc := C.seed(db); rc != C.SQLITE_OK {
		log.Fatalf("seed: %d", int(rc))
	}
	var mu sync.Mutex
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		buf := (*C.char)(C.malloc(64))
		defer C.free(unsafe.Pointer(buf))
		C.first(db, buf)
		fmt.Fprintf(w, "notes: sqlite %s rows=%d first=%s\n",
			C.GoString(C.sqlite3_libversion()), int(C.count(db)), C.GoString(buf))
	})
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		os.Exit(0)
	}()
	log.Println("go-cgo-sqlite listening on :8094")
	log.Fatal(http.ListenAndServe(":8094", nil))
}
