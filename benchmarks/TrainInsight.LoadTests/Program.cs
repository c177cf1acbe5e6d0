using TrainInsight.LoadTests;
using TrainInsight.LoadTests.Clients;
using TrainInsight.LoadTests.Runner;
using TrainInsight.LoadTests.Server;

// Loopback load test of the SSE endpoint. `run` starts the two other roles as child processes; they are not meant
// to be started by hand except for debugging.
const string Usage = """
    TrainInsight.LoadTests run [--scenario p3|p4|all] [--connections N] [--rate EVENTS_PER_S] [--seconds S]
                               [--source-addresses K] [--server-kind traininsight|raw] [--out FILE.md]
      Runs the scenarios (default all: P3 = 1,000 clients at 10 events/s, P4 = 10,000 idle clients at 1 event/s,
      30 s each) and prints a Markdown report. --connections/--rate/--seconds override the chosen scenario.
      --source-addresses K spreads client sockets over 127.0.0.1..K (more ephemeral ports).
      --server-kind raw measures a floor instead of TrainInsight: a raw-socket broadcaster that sends the same bytes.
    TrainInsight.LoadTests server [--kind traininsight|raw]   (child role: server under test + publisher)
    TrainInsight.LoadTests clients --port P [--echo-port E] [--connections N] [--source-addresses K]   (child role)
    """;

if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var options = new Arguments(args.Skip(1));
return args[0] switch
{
    "run" => await RunCommand.RunAsync(options, args),
    "server" => await ServerRole.RunAsync(options),
    "clients" => await ClientsRole.RunAsync(options),
    _ => Fail($"Unknown role '{args[0]}'.\n{Usage}"),
};

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}
