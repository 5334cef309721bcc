module example.com/cgolibc

go 1.22
