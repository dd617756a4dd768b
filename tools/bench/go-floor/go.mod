module kubevirt-migration.local/bench/go-floor

go 1.24
