// Every test here trains or evaluates a real network on the CPU. Running them one at a time keeps each one fast and
// keeps the background training loops of the control tests from competing with other tests for the same cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
