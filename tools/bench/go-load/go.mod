module kubevirt-migration.local/bench/go-load

go 1.24
