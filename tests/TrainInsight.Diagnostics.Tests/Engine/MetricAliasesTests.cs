namespace TrainInsight.Diagnostics.Tests.Engine;

public class MetricAliasesTests
{
    [Fact]
    public void Observe_KerasTrainAndValidationRuns_DiagnosedAsOnePairOnTheTrainRun()
    {
        var diagnoser = new TrainingDiagnoser();
        var train = new RunDescriptor("fit.train");
        var validation = new RunDescriptor("fit.validation");
        double[] val = [0.6, 0.5, 0.44, 0.5, 0.56, 0.62, 0.7];
        var found = new List<FindingEvent>();
        for (var epoch = 0; epoch < val.Length; epoch++)
        {
            found.AddRange(diagnoser.Observe(new MetricEvent(train, epoch, new Dictionary<string, double> { ["epoch_loss"] = 0.5 * Math.Pow(0.7, epoch), ["epoch_accuracy"] = 0.8 })));
            found.AddRange(diagnoser.Observe(new MetricEvent(validation, epoch, new Dictionary<string, double> { ["epoch_loss"] = val[epoch], ["epoch_accuracy"] = 0.82 })));
        }

        var finding = found.Should().ContainSingle(f => f.Label == FindingLabels.Overfitting).Subject;
        finding.RunId.Should().Be("fit.train");
        finding.Evidence.Select(e => e.Metric).Should().OnlyContain(m => m == "epoch_loss", "the evidence names the metrics as the trainer logged them");
        diagnoser.GetFindings("fit.validation").Should().Contain(f => f.Label == FindingLabels.Overfitting);
    }

    [Theory]
    [InlineData("epoch_val_loss", MetricNames.ValLoss)]
    [InlineData("Loss/test", MetricNames.ValLoss)]
    [InlineData("epoch_val_acc", MetricNames.ValAccuracy)]
    [InlineData("batch_acc", MetricNames.TrainAccuracy)]
    [InlineData("lr-Adam", MetricNames.LearningRate)]
    public void Resolve_DefaultAliases_MapToTheSignal(string name, string signal) =>
        new MetricAliases().Resolve(name).Should().Be(signal);

    [Theory]
    [InlineData("Loss/train")]
    [InlineData("train_loss")]
    [InlineData("loss")]
    [InlineData("train/loss")]
    [InlineData("LOSS/TRAIN")]
    public void Observe_TrainersOwnLossName_IsRead(string name)
    {
        var diagnoser = new TrainingDiagnoser();
        var found = diagnoser.Observe(new MetricEvent(new RunDescriptor("r"), 1, new Dictionary<string, double> { [name] = double.NaN }));

        found.Should().ContainSingle().Which.Evidence[0].Metric.Should().Be(name);
    }

    [Fact]
    public void Add_CustomAlias_IsRead()
    {
        var options = new DiagnosticsOptions();
        options.Aliases.Add(MetricNames.TrainLoss, "my_objective");
        var diagnoser = new TrainingDiagnoser(options);

        diagnoser.Observe(new MetricEvent(new RunDescriptor("r"), 1, new Dictionary<string, double> { ["my_objective"] = double.NaN }))
            .Should().ContainSingle().Which.Label.Should().Be(FindingLabels.Divergence);
    }

    [Fact]
    public void Clear_DefaultAliases_OnlyOwnNamesAreRead()
    {
        var options = new DiagnosticsOptions();
        options.Aliases.Clear();
        var diagnoser = new TrainingDiagnoser(options);

        diagnoser.Observe(new MetricEvent(new RunDescriptor("r"), 1, new Dictionary<string, double> { ["Loss/train"] = double.NaN })).Should().BeEmpty();
        options.Aliases.Resolve("Loss/train").Should().Be("Loss/train");
    }

    [Fact]
    public void Add_BlankAlias_Throws()
    {
        var act = () => new MetricAliases().Add(MetricNames.TrainLoss, " ");

        act.Should().Throw<ArgumentException>();
    }
}
