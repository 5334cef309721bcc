// static-service: reads its assets from disk at run time (not go:embed), relative
// to the working directory, so an image must ship templates/ and static/ next to
// the binary. Listens on :8091.
//
//	GET /                  renders templates/index.html
//	GET /static/hello.txt  serves static/hello.txt
package main

import (
	"html/template"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	http.Handle("/static/", http.StripPrefix("/static/", http.FileServer(http.Dir("static"))))
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		tpl, err := template.ParseFiles("templates/index.html")
		if err != nil {
			log.Printf("template: %v", err)
			http.Error(w, "template error: "+err.Error(), http.StatusInternalServerError)
			return
		}
		if err := tpl.Execute(w, map[string]string{"Name": "dfslim"}); err != nil {
			log.Printf("execute: %v", err)
		}
	})
	if _, err := os.Stat("templates/index.html"); err != nil {
		log.Printf("warning: %v", err)
	}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		os.Exit(0)
	}()
	log.Println("static-service listening on :8091")
	log.Fatal(http.ListenAndServe(":8091", nil))
}
