module example.com/tzservice

go 1.16
