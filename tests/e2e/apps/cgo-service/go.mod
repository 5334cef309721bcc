module example.com/cgoservice

go 1.16
