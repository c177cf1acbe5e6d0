using System.Globalization;
using TrainInsight;
using TrainInsight.Sqlite;

// Usage: TrainInsight.Sqlite.Tests.Crasher <database path> <flush interval in ms>
// Publishes one MetricEvent (10 metrics) every millisecond or so, forever, and after each prints "published <step>"
// (step k is the k-th event, so offset k on a new database). The test kills the process mid-run.
var path = args[0];
var flush = TimeSpan.FromMilliseconds(int.Parse(args[1], CultureInfo.InvariantCulture));
using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path });
using var bus = TelemetryBus.Create(new TrainInsightOptions { StoreFlushInterval = flush }, store);
var run = new RunDescriptor("crash-run");
Console.Out.WriteLine("ready");
for (long step = 1; ; step++)
{
    var values = new Dictionary<string, double>(10);
    for (var i = 0; i < 10; i++)
    {
        values["metric_" + i.ToString(CultureInfo.InvariantCulture)] = step + (i / 10.0);
    }

    if (!bus.TryPublish(new MetricEvent(run, step, values)))
    {
        Console.Out.WriteLine("rejected " + step.ToString(CultureInfo.InvariantCulture));
        return 1;
    }

    Console.Out.WriteLine("published " + step.ToString(CultureInfo.InvariantCulture));
    Thread.Sleep(1);
}
