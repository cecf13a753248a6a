// Tests train networks and execute notebooks on two cores: running them one at a time keeps each fast and
// keeps the timings they report meaningful.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
