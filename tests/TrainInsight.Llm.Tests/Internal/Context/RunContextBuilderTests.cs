using Microsoft.ML.Tokenizers;
using TrainInsight.Llm.Internal.Context;

namespace TrainInsight.Llm.Tests.Internal.Context;

public class RunContextBuilderTests
{
    private static readonly Tokenizer s_cl100k = TiktokenTokenizer.CreateForModel("gpt-4");

    [Theory]
    [InlineData(256)]
    [InlineData(1_024)]
    [InlineData(4_096)]
    public void Build_BusyRun_StaysWithinTheBudgetByEstimateAndByARealTokenizer(int budget)
    {
        var data = BusyRun(metrics: 60, findings: 8);

        var context = RunContextBuilder.Build(data, budget, DateTimeOffset.UtcNow);

        context.Tokens.Should().BeLessThanOrEqualTo(budget);
        s_cl100k.CountTokens(context.Text).Should().BeLessThanOrEqualTo(context.Tokens, "the estimate never undercounts");
        context.Text.Should().StartWith("<run_data>\nrun: id=\"busy\"").And.EndWith("</run_data>");
        context.Text.Should().Contain("train_loss: now").And.Contain("val_loss: now");
        if (budget < 4_096)
        {
            context.Omitted.Should().NotBeEmpty();
            context.Text.Should().Contain("left out for the token budget:");
        }
    }

    [Fact]
    public void Build_DefaultBudget_KeepsKeyMetricsAndTheMostSevereFindingFirst()
    {
        var data = BusyRun(metrics: 60, findings: 8);

        var context = RunContextBuilder.Build(data, 1_024, DateTimeOffset.UtcNow);

        var lines = context.Text.Split('\n');
        lines[2].Should().StartWith("train_loss: now 0.1 @999, best(min) 0.1 @999, first 2.1 @0, last 200 points falling -50%");
        context.Text.Should().Contain("findings (8 open, most severe first):\n- [critical] divergence");
        context.Text.Should().Contain("hyperparameters: batch_size=64 learning_rate=0.01 optimizer=\"adam\"");
    }

    [Fact]
    public void Estimate_ChineseText_CountsCjkAsOneAndAHalfTokensEach()
    {
        TokenEstimator.Estimate("训练损失").Should().Be(6);
        TokenEstimator.Estimate("abcdef").Should().Be(2);
        s_cl100k.CountTokens("训练损失在下降，学习率过高").Should().BeLessThanOrEqualTo(TokenEstimator.Estimate("训练损失在下降，学习率过高"));
    }

    [Fact]
    public void Build_NonFiniteLoss_SaysSo()
    {
        var loss = new SeriesSummary(MetricNames.TrainLoss);
        loss.Add(1, 1.0);
        loss.Add(2, double.NaN);
        var data = Data([loss], []);

        var context = RunContextBuilder.Build(data, 1_024, DateTimeOffset.UtcNow);

        context.Text.Should().Contain("train_loss: now NaN @2, best(min) 1 @1, first 1 @1, 2 points, 1 non-finite");
    }

    private static RunData BusyRun(int metrics, int findings)
    {
        var series = new List<SeriesSummary>();
        foreach (var name in new[] { MetricNames.TrainLoss, MetricNames.ValLoss, MetricNames.TrainAccuracy, MetricNames.ValAccuracy, MetricNames.LearningRate, MetricNames.GradientNorm }
            .Concat(Enumerable.Range(0, metrics).Select(i => $"layer{i:00}/activation_mean_with_a_long_tensorboard_tag")))
        {
            var s = new SeriesSummary(name);
            for (var step = 0; step < 1_000; step++)
            {
                s.Add(step, name.Contains("acc", StringComparison.Ordinal) ? step / 1_000.0 : 2.1 - (2.0 * step / 999.0));
            }

            series.Add(s);
        }

        var run = new RunDescriptor("busy");
        var labels = new[] { FindingLabels.Divergence, FindingLabels.Overfitting, FindingLabels.Plateau, FindingLabels.LabelNoise, FindingLabels.DyingRelu, FindingLabels.UnshuffledData, FindingLabels.SaturatedActivations, FindingLabels.DataLoaderBottleneck };
        var list = labels.Take(findings).Select((l, i) => new FindingEvent(run, $"busy/{l}/1", l, i == 0 ? FindingSeverity.Critical : FindingSeverity.Warning, FindingState.Open,
            $"The {l} detector saw evidence over 200 steps: value 0.123 against a threshold of 0.1 (window 50, {i} spikes).")
        {
            FirstStep = 100 + i,
            Fixes = [new SuggestedFix("fix_" + l, FixKind.CodeChange, $"Change the code for {l} in the data pipeline or the model", "Because the evidence says so.")],
        }).ToList();
        return Data(series, list);
    }

    private static RunData Data(List<SeriesSummary> series, List<FindingEvent> findings) => new()
    {
        Run = new RunDescriptor("busy")
        {
            ModelName = "ResNet18",
            TotalEpochs = 10,
            Hyperparameters = new Dictionary<string, HyperparameterValue> { [HyperparameterNames.LearningRate] = 0.01, [HyperparameterNames.BatchSize] = 64, [HyperparameterNames.Optimizer] = "adam" },
        },
        State = RunState.Training,
        Step = 999,
        Epoch = 3,
        LastEventAt = DateTimeOffset.UtcNow,
        Series = series,
        Findings = findings,
        Commands = [],
    };
}
