// Command api serves a quote of the day.
package main

import (
	"fmt"
	"log"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "Simplicity is prerequisite for reliability.")
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
