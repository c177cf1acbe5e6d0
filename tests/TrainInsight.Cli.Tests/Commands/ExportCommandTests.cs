using System.Globalization;
using System.Text.Json;
using TrainInsight.Tests.Shared;

namespace TrainInsight.Cli.Tests.Commands;

public sealed class ExportCommandTests : IDisposable
{
    private readonly string _logdir = Directory.CreateTempSubdirectory("traininsight-cli-").FullName;

    public void Dispose() => Directory.Delete(_logdir, recursive: true);

    [Fact]
    public async Task Export_Jsonl_WritesEveryScalarWithRunTagStepWallTimeAndValueExactly()
    {
        using (var train = new TfEventsWriter(Path.Combine(_logdir, "train", "events.out.tfevents.1700000000.host.with.dots.1.0")))
        {
            train.Scalars(0, 1_700_000_000.25, ("Loss/train", 2.5f), ("acc", 0.125f));
            train.Scalars(1, 1_700_000_001.5, ("Loss/train", 0.1f));
            train.Scalars(1, 1_700_000_001.75, ("Loss/train", 0.09f)); // a duplicate (tag, step): both are exported
        }

        using (var validation = new TfEventsWriter(Path.Combine(_logdir, "validation", "events.out.tfevents.1700000000.h.2.0"), fileVersion: false))
        {
            validation.Scalars(7, 1_700_000_002, ("Loss/val", float.NaN), ("up", float.PositiveInfinity), ("down", float.NegativeInfinity));
        }

        var (code, stdout, stderr) = await RunAsync("tb", "export", _logdir);

        code.Should().Be(0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().Equal(
            """{"run":"train","tag":"Loss/train","step":0,"wall_time":1700000000.25,"value":2.5}""",
            """{"run":"train","tag":"acc","step":0,"wall_time":1700000000.25,"value":0.125}""",
            $$"""{"run":"train","tag":"Loss/train","step":1,"wall_time":1700000001.5,"value":{{((double)0.1f).ToString("R", CultureInfo.InvariantCulture)}}}""",
            $$"""{"run":"train","tag":"Loss/train","step":1,"wall_time":1700000001.75,"value":{{((double)0.09f).ToString("R", CultureInfo.InvariantCulture)}}}""",
            """{"run":"validation","tag":"Loss/val","step":7,"wall_time":1700000002,"value":"NaN"}""",
            """{"run":"validation","tag":"up","step":7,"wall_time":1700000002,"value":"Infinity"}""",
            """{"run":"validation","tag":"down","step":7,"wall_time":1700000002,"value":"-Infinity"}""");
        lines.Should().AllSatisfy(l => JsonDocument.Parse(l).RootElement.ValueKind.Should().Be(JsonValueKind.Object));
        stderr.Should().Contain("exported 7 scalars from 2 event files in 2 runs");
    }

    [Fact]
    public async Task Export_Csv_QuotesFieldsThatNeedIt()
    {
        using (var writer = new TfEventsWriter(Path.Combine(_logdir, "events.out.tfevents.1")))
        {
            writer.Scalars(3, 1_700_000_000, ("a,b \"quoted\"", 1.5f));
        }

        var (code, stdout, _) = await RunAsync("tb", "export", _logdir, "--format", "csv");

        code.Should().Be(0);
        stdout.Should().Be("run,tag,step,wall_time,value\n.,\"a,b \"\"quoted\"\"\",3,1700000000,1.5\n");
    }

    [Fact]
    public async Task Export_PartialTrailingRecordAndCorruptRecord_ExportsTheRestAndSaysSo()
    {
        var path = Path.Combine(_logdir, "run", "events.out.tfevents.1");
        using (var writer = new TfEventsWriter(path))
        {
            writer.Scalars(1, 1_700_000_000, ("loss", 1f));
            var bad = TfEventsWriter.Frame(TfEventsWriter.Event(1_700_000_001, 2, []));
            bad[^1] ^= 0xFF; // the data checksum no longer matches
            writer.WriteRaw(bad);
            writer.Scalars(3, 1_700_000_002, ("loss", 0.5f));
            writer.WriteRaw(TfEventsWriter.Frame(TfEventsWriter.Event(1_700_000_003, 4, [])).AsSpan(0, 10)); // still being written
        }

        var (code, stdout, stderr) = await RunAsync("tb", "export", _logdir);

        code.Should().Be(0);
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64())
            .Should().Equal(1, 3);
        stderr.Should().Contain("incomplete record").And.Contain("skipped 1 corrupt records");
    }

    [Fact]
    public async Task Export_ToFile_WritesTheFileAndNothingToStdout()
    {
        using (var writer = new TfEventsWriter(Path.Combine(_logdir, "events.out.tfevents.1")))
        {
            writer.Scalars(1, 1_700_000_000, ("loss", 1f));
        }

        var output = Path.Combine(_logdir, "out.jsonl");
        var (code, stdout, _) = await RunAsync("tb", "export", _logdir, "--output", output);

        code.Should().Be(0);
        stdout.Should().BeEmpty();
        (await File.ReadAllTextAsync(output)).Should().Be("""{"run":".","tag":"loss","step":1,"wall_time":1700000000,"value":1}""" + "\n");
    }

    [Theory]
    [InlineData(new[] { "tb", "export" }, "The log directory is missing.")]
    [InlineData(new[] { "tb", "export", ".", "--format", "xml" }, "--format must be jsonl or csv, not 'xml'.")]
    [InlineData(new[] { "tb", "export", ".", "--format" }, "--format needs a value.")]
    [InlineData(new[] { "tb", "export", ".", "--colour", "red" }, "Unknown option '--colour'.")]
    [InlineData(new[] { "tb", "export", "a", "b" }, "Unexpected argument 'b'.")]
    [InlineData(new[] { "tb", "frobnicate" }, "Unknown command 'tb frobnicate'.")]
    [InlineData(new[] { "train" }, "Unknown command 'train'.")]
    [InlineData(new[] { "tb", "serve", ".", "--map", "novalue" }, "--map needs TAG=METRIC, not 'novalue'.")]
    [InlineData(new[] { "tb", "serve", ".", "--poll-interval", "5" }, "--poll-interval must be a number of milliseconds from 10 to 3,600,000, not '5'.")]
    public async Task Run_BadUsage_ExitsTwoWithTheReason(string[] args, string message)
    {
        var (code, _, stderr) = await RunAsync(args);

        code.Should().Be(2);
        stderr.Should().Contain(message).And.Contain("traininsight --help");
    }

    [Fact]
    public async Task Export_MissingDirectory_ExitsOneNamingIt()
    {
        var missing = Path.Combine(_logdir, "nope");
        var (code, _, stderr) = await RunAsync("tb", "export", missing);

        code.Should().Be(1);
        stderr.Should().Contain(missing);
    }

    [Fact]
    public async Task Run_Help_PrintsUsageAndExitsZero()
    {
        var (code, stdout, _) = await RunAsync("--help");

        code.Should().Be(0);
        stdout.Should().Contain("traininsight tb export <logdir>").And.Contain("traininsight tb serve <logdir>");
    }

    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = await CommandLine.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

public sealed class ExportCommandFixtureTests
{
    [Fact]
    public async Task Export_RealWritersFixtures_ExportsEveryScalarUnderItsRunAndTag()
    {
        var fixtures = TrainInsight.TensorBoard.Tests.Infrastructure.Fixtures.Directory;

        var (code, stdout, stderr) = await ExportCommandTests.RunAsync("tb", "export", fixtures);

        code.Should().Be(0, stderr);
        var records = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        int Count(string run, string tag) => records.Count(r => r.GetProperty("run").GetString() == run && r.GetProperty("tag").GetString() == tag);

        // Counts from the fixtures' MANIFEST.md (written by the people who extracted them, not by this reader).
        Count("lingvo", "bleu/dev").Should().Be(360);
        Count("lingvo", "runtime/sentence/sec").Should().Be(360);
        Count("wandb", "batch_loss").Should().Be(17);
        Count("wandb", "epoch_loss").Should().Be(17 + 7, "two wandb files hold epoch_loss: 17 and 7 values");
        Count("wandb", "loss").Should().Be(1);
        Count("tensorboard-reducer/duplicate_steps/run_1", "dup_steps/foo").Should().Be(210, "duplicate (tag, step) pairs are all exported");
        Count("tensorboard-reducer/strict/run_3", "strict/foo").Should().Be(100);
        Count("mlagents-soccerppo", "Policy/Entropy").Should().Be(7);
        Count("tfevents-js", "hello").Should().Be(1);
        records.Where(r => r.GetProperty("run").GetString() == "lingvo").Max(r => r.GetProperty("step").GetInt64()).Should().Be(185_200);
        records.Should().OnlyContain(r => r.GetProperty("value").ValueKind == JsonValueKind.Number
            || r.GetProperty("value").GetString() == "NaN" || r.GetProperty("value").GetString() == "Infinity" || r.GetProperty("value").GetString() == "-Infinity");
        stderr.Should().NotContain("corrupt").And.NotContain("incomplete");
    }
}
