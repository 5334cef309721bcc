module example.com/staticservice

go 1.16
