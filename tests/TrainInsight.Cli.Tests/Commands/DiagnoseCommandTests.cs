using System.Text.Json;
using TrainInsight.Tests.Shared;

namespace TrainInsight.Cli.Tests.Commands;

/// <summary><c>traininsight tb diagnose</c> on event files laid out as Keras, the PyTorch tutorials and Lightning write them.</summary>
public sealed class DiagnoseCommandTests : IDisposable
{
    private const double Start = 1_700_000_000;
    private readonly string _logdir = Directory.CreateTempSubdirectory("traininsight-diagnose-").FullName;

    public void Dispose() => Directory.Delete(_logdir, recursive: true);

    [Fact]
    public async Task Diagnose_KerasPairWhoseValidationLossRises_ReportsOverfittingOnTheTrainRunAndExitsOne()
    {
        // model.fit(..., callbacks=[TensorBoard("logs/fit/<time>")]): logs/fit/<time>/train and .../validation, tags epoch_*.
        var run = Path.Combine(_logdir, "fit", "20240101-120000");
        double[] trainLoss = [1.2, 0.9, 0.72, 0.6, 0.5, 0.42, 0.35, 0.29, 0.24, 0.2, 0.17, 0.14];
        double[] validationLoss = [1.1, 0.9, 0.78, 0.7, 0.68, 0.76, 0.84, 0.92, 1.0, 1.08, 1.16, 1.24];
        using (var train = new TfEventsWriter(Path.Combine(run, "train", "events.out.tfevents.1704110400.host.1.v2")))
        using (var validation = new TfEventsWriter(Path.Combine(run, "validation", "events.out.tfevents.1704110401.host.1.v2")))
        {
            for (var epoch = 0; epoch < trainLoss.Length; epoch++)
            {
                train.Scalars(epoch, Start + (10 * epoch), ("epoch_loss", (float)trainLoss[epoch]), ("epoch_accuracy", (float)(0.6 + (0.03 * epoch))));
                validation.Scalars(epoch, Start + (10 * epoch) + 9, ("epoch_loss", (float)validationLoss[epoch]), ("epoch_accuracy", (float)(0.62 + (0.01 * Math.Min(epoch, 4)) - (0.01 * Math.Max(0, epoch - 4)))));
            }
        }

        var (code, stdout, stderr) = await ExportCommandTests.RunAsync("tb", "diagnose", _logdir);

        code.Should().Be(1, stdout + stderr);
        var lines = Lines(stdout);
        lines.Should().Contain("run fit.20240101-120000.train (fit/20240101-120000/train) with fit.20240101-120000.validation");
        lines.Should().Contain("  24 metric updates read: 12 from fit.20240101-120000.train, 12 from fit.20240101-120000.validation");
        lines.Should().Contain(l => l.StartsWith("  WARNING overfitting: open since step ", StringComparison.Ordinal));
        lines.Should().NotContain(l => l.StartsWith("  CRITICAL", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("    evidence: epoch_loss = ", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("    fix (live action): ", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("    fix (code change): ", StringComparison.Ordinal));
        lines.Should().NotContain(l => l.StartsWith("run fit.20240101-120000.validation", StringComparison.Ordinal), "the validation run is reported with its train run");
        lines[^1].Should().Be("0 critical, 1 with warnings, 0 healthy (exit code 1).");
    }

    [Fact]
    public async Task Diagnose_PyTorchTutorialLossTurnsNaN_ReportsDivergenceAndExitsTwo()
    {
        // writer.add_scalar('Loss/train', running_loss / 1000, epoch * len(loader) + i) in runs/fashion_mnist_experiment_1.
        WriteLossTurningNaN(Path.Combine(_logdir, "runs", "fashion_mnist_experiment_1"));

        var (code, stdout, stderr) = await ExportCommandTests.RunAsync("tb", "diagnose", _logdir);

        code.Should().Be(2, stdout + stderr);
        var lines = Lines(stdout);
        lines.Should().Contain("run runs.fashion_mnist_experiment_1 (runs/fashion_mnist_experiment_1)");
        lines.Should().Contain(l => l.StartsWith("  CRITICAL divergence: open since step 30000", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("    evidence: Loss/train = NaN at step 30000", StringComparison.Ordinal));
        lines.Should().NotContain(l => l.Contains("looks healthy", StringComparison.Ordinal));
        stderr.Should().BeEmpty();
    }

    [Fact]
    public async Task Diagnose_LightningStyleHealthyRun_SaysItLooksHealthyAndExitsZero()
    {
        // Lightning's TensorBoardLogger: lightning_logs/version_0, self.log("train_loss") every 50 steps, "val_loss" per epoch.
        var random = new Random(7);
        using (var writer = new TfEventsWriter(Path.Combine(_logdir, "lightning_logs", "version_0", "events.out.tfevents.1704110400.host.4242.0")))
        {
            const int StepsPerEpoch = 500;
            for (var epoch = 0; epoch < 10; epoch++)
            {
                for (var step = (epoch * StepsPerEpoch) + 49; step < (epoch + 1) * StepsPerEpoch; step += 50)
                {
                    var loss = 2.3 / (1 + (step / 400.0)) * (1 + (0.03 * ((random.NextDouble() * 2) - 1)));
                    writer.Scalars(step, Start + step, ("train_loss", (float)loss), ("epoch", (float)epoch));
                }

                var last = ((epoch + 1) * StepsPerEpoch) - 1;
                writer.Scalars(last, Start + last + 0.5, ("val_loss", (float)(2.4 / (1 + (last / 450.0)))), ("epoch", (float)epoch));
            }
        }

        var (code, stdout, stderr) = await ExportCommandTests.RunAsync("tb", "diagnose", _logdir);

        code.Should().Be(0, stdout + stderr);
        var lines = Lines(stdout);
        lines.Should().Contain("run lightning_logs.version_0 (lightning_logs/version_0)");
        lines.Should().Contain("  looks healthy: no warning or critical finding in 110 metric updates judged");
        lines.Should().NotContain(l => l.StartsWith("  WARNING", StringComparison.Ordinal) || l.StartsWith("  CRITICAL", StringComparison.Ordinal));
        lines[^1].Should().Be("0 critical, 0 with warnings, 1 healthy (exit code 0).");
    }

    [Fact]
    public async Task Diagnose_OnlyALossLogged_ListsTheLabelsItCannotJudgeWithTheSignalsTheyNeed()
    {
        using (var writer = new TfEventsWriter(Path.Combine(_logdir, "events.out.tfevents.1704110400.host.1.0")))
        {
            for (var step = 1; step <= 40; step++)
            {
                writer.Scalars(step, Start + step, ("loss", 1f / step));
            }
        }

        var (code, stdout, stderr) = await ExportCommandTests.RunAsync("tb", "diagnose", _logdir);

        code.Should().Be(0, stdout + stderr);
        var lines = Lines(stdout);
        var root = Path.GetFileName(_logdir);
        lines.Should().Contain($"run {root}", "files directly in the log directory form a run named after it, as tb serve names it");
        lines.Should().Contain("  not judged (the signals they need were not logged):");
        lines.Should().Contain(l => l.StartsWith("    vanishing_gradients: needs ", StringComparison.Ordinal) && l.Contains("gradient_norm", StringComparison.Ordinal));
        lines.Should().Contain("    exploding_gradients: needs gradient_norm");
        lines.Should().NotContain(l => l.StartsWith("    divergence:", StringComparison.Ordinal), "a loss is all divergence needs");
    }

    [Fact]
    public async Task Diagnose_JsonFormat_PrintsOneDocumentWithRunsFindingsAndCoverage()
    {
        WriteLossTurningNaN(Path.Combine(_logdir, "runs", "exp"));

        var (code, stdout, stderr) = await ExportCommandTests.RunAsync("tb", "diagnose", _logdir, "--format", "json");

        code.Should().Be(2, stderr);
        using var document = JsonDocument.Parse(stdout);
        var root = document.RootElement;
        root.GetProperty("log_directory").GetString().Should().Be(_logdir);
        root.GetProperty("event_files").GetInt32().Should().Be(1);
        root.GetProperty("exit_code").GetInt32().Should().Be(2);
        var run = root.GetProperty("runs").EnumerateArray().Should().ContainSingle().Subject;
        run.GetProperty("run_id").GetString().Should().Be("runs.exp");
        run.GetProperty("name").GetString().Should().Be("runs/exp");
        run.GetProperty("metric_updates").GetInt64().Should().Be(31);
        run.GetProperty("worst_severity").GetString().Should().Be("critical");
        run.GetProperty("healthy").GetBoolean().Should().BeFalse();
        run.GetProperty("paired_with").GetArrayLength().Should().Be(0);
        run.GetProperty("sources").EnumerateArray().Should().ContainSingle()
            .Which.GetProperty("side").GetString().Should().Be("single");

        var divergence = run.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("label").GetString() == "divergence");
        divergence.GetProperty("severity").GetString().Should().Be("critical");
        divergence.GetProperty("state").GetString().Should().Be("open");
        divergence.GetProperty("run_id").GetString().Should().Be("runs.exp");
        divergence.GetProperty("first_step").GetInt64().Should().Be(30_000);
        divergence.GetProperty("message").GetString().Should().NotBeNullOrWhiteSpace();
        divergence.GetProperty("confidence").GetDouble().Should().BeInRange(0, 1);
        divergence.GetProperty("revision").GetInt32().Should().BeGreaterThanOrEqualTo(1);
        divergence.GetProperty("evidence").EnumerateArray().Should().Contain(e =>
            e.GetProperty("metric").GetString() == "Loss/train" && e.GetProperty("value").ValueKind == JsonValueKind.String && e.GetProperty("value").GetString() == "NaN");
        divergence.GetProperty("fixes").EnumerateArray().Should().NotBeEmpty().And.AllSatisfy(f =>
        {
            f.GetProperty("kind").GetString().Should().BeOneOf("live_action", "code_change");
            f.GetProperty("title").GetString().Should().NotBeNullOrWhiteSpace();
            var commands = f.GetProperty("commands").EnumerateArray().ToList();
            if (f.GetProperty("kind").GetString() == "live_action")
            {
                commands.Should().NotBeEmpty().And.OnlyContain(c => !string.IsNullOrEmpty(c.GetProperty("action").GetString()));
            }
            else
            {
                commands.Should().BeEmpty();
            }
        });

        var coverage = run.GetProperty("coverage").EnumerateArray().ToList();
        coverage.Should().Contain(c => c.GetProperty("label").GetString() == "divergence" && c.GetProperty("judged").GetBoolean());
        coverage.Should().Contain(c => c.GetProperty("label").GetString() == "exploding_gradients" && !c.GetProperty("judged").GetBoolean()
            && c.GetProperty("needed_signals").GetString() == "gradient_norm");
    }

    [Fact]
    public async Task Diagnose_MissingDirectory_Exits66NamingIt()
    {
        var missing = Path.Combine(_logdir, "nope");

        var (code, stdout, stderr) = await ExportCommandTests.RunAsync("tb", "diagnose", missing);

        code.Should().Be(66);
        stdout.Should().BeEmpty();
        stderr.Should().Contain(missing).And.Contain("does not exist");
    }

    [Fact]
    public async Task Diagnose_DirectoryWithoutEventFiles_Exits66SayingSo()
    {
        await File.WriteAllTextAsync(Path.Combine(_logdir, "notes.txt"), "no events here");

        var (code, stdout, stderr) = await ExportCommandTests.RunAsync("tb", "diagnose", _logdir);

        code.Should().Be(66);
        stdout.Should().BeEmpty();
        stderr.Should().Contain(_logdir).And.Contain("holds no TensorBoard event files");
    }

    [Theory]
    [InlineData(new[] { "tb", "diagnose" }, "The log directory is missing.")]
    [InlineData(new[] { "tb", "diagnose", ".", "--format", "xml" }, "--format must be text or json, not 'xml'.")]
    [InlineData(new[] { "tb", "diagnose", ".", "--format" }, "--format needs a value.")]
    [InlineData(new[] { "tb", "diagnose", ".", "--colour", "red" }, "Unknown option '--colour'.")]
    [InlineData(new[] { "tb", "diagnose", "a", "b" }, "Unexpected argument 'b'.")]
    public async Task Diagnose_BadUsage_Exits64WithTheReason(string[] args, string message)
    {
        var (code, stdout, stderr) = await ExportCommandTests.RunAsync(args);

        code.Should().Be(64);
        stdout.Should().BeEmpty();
        stderr.Should().Contain(message).And.Contain("traininsight --help");
    }

    [Fact]
    public async Task Run_Help_DocumentsDiagnoseAndItsExitCodes()
    {
        var (code, stdout, _) = await ExportCommandTests.RunAsync("--help");

        code.Should().Be(0);
        stdout.Should().Contain("traininsight tb diagnose <logdir> [--format text|json]")
            .And.Contain("0 no finding of warning or worse, 1 a warning (no critical), 2 a critical finding")
            .And.Contain("64 bad usage, 66 <logdir> does not exist or holds no event files");
    }

    /// <summary>Thirty falling losses every 1,000 steps, then NaN at step 30,000.</summary>
    private static void WriteLossTurningNaN(string folder)
    {
        using var writer = new TfEventsWriter(Path.Combine(folder, "events.out.tfevents.1704110400.host.1.0"));
        for (var i = 0; i < 30; i++)
        {
            writer.Scalars(i * 1_000, Start + i, ("Loss/train", (float)(2.3 / (1 + (i / 5.0)))));
        }

        writer.Scalars(30_000, Start + 30, ("Loss/train", float.NaN));
    }

    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');
}
