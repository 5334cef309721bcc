// hygiene-apt: a visit counter on :8096 kept in SQLite (Debian's libsqlite3 via
// cgo, so the runtime needs libsqlite3-0), with /health for a curl HEALTHCHECK.
// GET / -> "hygiene-apt: sqlite 3.40.1 visits=N", GET /health -> "ok".
package main

/*
#cgo LDFLAGS: -lsqlite3
#include <sqlite3.h>
#include <stdlib.h>

static int int_cb(void *p, int n, char **v, char **c) { *(int *)p = atoi(v[0]); return 0; }
static int setup(sqlite3 *db) { return sqlite3_exec(db, "CREATE TABLE visits(at TEXT)", 0, 0, 0); }
static int visit(sqlite3 *db) {
	int n = -1;
	sqlite3_exec(db, "INSERT INTO visits VALUES (datetime('now'))", 0, 0, 0);
	sqlite3_exec(db, "SELECT count(*) FROM visits", int_cb, &n, 0);
	return n;
}
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
	if C.sqlite3_open(name, &db) != C.SQLITE_OK || C.setup(db) != C.SQLITE_OK {
		log.Fatal("sqlite setup failed")
	}
	var mu sync.Mutex
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n := int(C.visit(db))
		mu.Unlock()
		fmt.Fprintf(w, "hygiene-apt: sqlite %s visits=%d\n", C.GoString(C.sqlite3_libversion()), n)
	})
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		os.Exit(0)
	}()
	log.Println("hygiene-apt listening on :8096")
	log.Fatal(http.ListenAndServe(":8096", nil))
}
