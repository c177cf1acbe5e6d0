using TrainInsight.DiagnosisBenchmark.Traces;

namespace TrainInsight.Diagnostics.Tests.Engine;

/// <summary>
/// The saved real traces (real TorchSharp on real Fashion-MNIST, Traces/README.md) replayed through the diagnoser: the first
/// finding of warning severity or worse is each run's true label, and the healthy run gets none. These are MLP runs of the
/// tuning set, so they pin the tuned behaviour; the held-out scores are in docs/diagnosis-benchmark.md.
/// </summary>
public class RealTraceTests
{
    private static string[] Files => [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Traces"), "*.jsonl").Select(p => Path.GetFileName(p)).Order()];

    public static TheoryData<string> Traces => [.. Files];

    [Fact]
    public void Traces_OnePerLabelAndAHealthyRun_AreShipped()
    {
        var labels = Files.Select(f => TraceFile.ReadHeader(Path.Combine(AppContext.BaseDirectory, "Traces", f)).Label).ToHashSet();

        labels.Should().HaveCount(15).And.Contain(FindingLabels.Healthy).And.Contain(FindingLabels.MissingZeroGrad).And.Contain(FindingLabels.Plateau);
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void Observe_RealTrace_FirstWarningIsTheTrueLabelWithEvidenceAndFixes(string file)
    {
        var trace = TraceFile.Read(Path.Combine(AppContext.BaseDirectory, "Traces", file));
        var diagnoser = new TrainingDiagnoser();
        var raised = new List<(int Check, FindingEvent Finding)>();
        var check = 0;
        foreach (var item in trace.Events)
        {
            if (item is MetricEvent or TrainingEvent { Kind: TrainingEventKind.EpochCompleted })
            {
                check++;
            }

            raised.AddRange(diagnoser.Observe(item).Where(f => f.Revision == 1 && f.Severity >= FindingSeverity.Warning).Select(f => (check, f)));
        }

        if (trace.Header.Label == FindingLabels.Healthy)
        {
            raised.Should().BeEmpty();
            return;
        }

        raised.Should().NotBeEmpty();
        var first = raised[0].Finding;
        first.Label.Should().Be(trace.Header.Label);
        first.RunId.Should().Be(trace.Run.Id);
        first.Evidence.Should().NotBeEmpty();
        first.Fixes.Should().NotBeEmpty();
        first.Message.Should().MatchRegex(@"\d", "a finding states the numbers behind it");
        first.Step.Should().BeGreaterThanOrEqualTo(trace.Header.OnsetStep, "nothing is found before the fault starts");
    }
}
