module example.com/fouda

go 1.16
