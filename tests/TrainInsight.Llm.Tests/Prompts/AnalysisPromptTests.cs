using Microsoft.Extensions.AI;
using TrainInsight.Llm.Internal;
using TrainInsight.Llm.Prompts;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Prompts;

public class AnalysisPromptTests
{
    private static readonly FindingEvent[] s_someFindings =
    [
        new(new RunDescriptor("run-a"), "run-a/plateau/1", FindingLabels.Plateau, FindingSeverity.Warning, FindingState.Open, "flat for a while")
        {
            FirstStep = 7,
            Fixes = [new SuggestedFix("lower_learning_rate", FixKind.LiveAction, "Set the learning rate to 0.01 (0.1 × 0.1)", "decay unlocks progress", [new FixCommand(ControlAction.SetLearningRate, 0.01)])],
        },
    ];

    [Fact]
    public async Task Build_Always_SystemThenUserMessage()
    {
        using var run = await new TestRun().Losses([1.0]).SettledAsync();

        var messages = AnalysisPrompt.Build(RunHistory.Read(run.Bus, run.Id), s_someFindings, new LlmOptions());

        messages.Select(m => m.Role).Should().Equal(ChatRole.System, ChatRole.User);
        messages[0].Text.Should().Be(AnalysisPrompt.SystemPrompt);
        AnalysisPrompt.SystemPrompt.Should().Contain("Use only the data given").And.Contain("do not invent");
    }

    [Fact]
    public async Task BuildSummary_FullRun_ContainsEverySection()
    {
        using var run = await new TestRun()
            .Losses([2.5, 1.25, 0.75], epoch: 1, extra: v =>
            {
                v[MetricNames.LearningRate] = 0.01;
                v[MetricNames.SamplesPerSecond] = 1234.5;
                v[MetricNames.StepsPerSecond] = 19.25;
            })
            .Epoch(1, trainLoss: 1.5, valLoss: 0.875, valAccuracy: 0.625)
            .SettledAsync();

        var summary = AnalysisPrompt.BuildSummary(RunHistory.Read(run.Bus, run.Id), s_someFindings, maxPoints: 50);

        summary.Should()
            .Contain("- id: run-a; name: Test run; state: Training")
            .And.Contain("- model: SmallCnn; parameters: 123456")
            .And.Contain("- planned epochs: 10; steps per epoch: 100")
            .And.Contain("- latest step: 3; latest epoch: 1")
            .And.Contain("## train_loss (3 samples)")
            .And.Contain("- first: 2.5 at step 1; last: 0.75 at step 3; min: 0.75 at step 3; not finite: 0")
            .And.Contain("samples (step:value, 3 of 3): 1:2.5, 2:1.25, 3:0.75")
            .And.Contain("- epoch 1: train_loss=1.5, val_accuracy=0.625, val_loss=0.875")
            .And.Contain("- learning_rate: first 0.01 at step 1; last 0.01 at step 3; mean 0.01")
            .And.Contain("- samples_per_second: first 1234.5 at step 1")
            .And.Contain("- steps_per_second: first 19.25 at step 1")
            .And.Contain("- latest values: ")
            .And.Contain("## Rule findings")
            .And.Contain("- Warning plateau (confidence 1, since step 7): flat for a while")
            .And.Contain("  - suggested fix (live action): Set the learning rate to 0.01 (0.1 × 0.1) — decay unlocks progress");
    }

    [Fact]
    public async Task BuildSummary_NoMetrics_SaysSo()
    {
        using var run = await new TestRun().Started().SettledAsync();

        var summary = AnalysisPrompt.BuildSummary(RunHistory.Read(run.Bus, run.Id), s_someFindings, maxPoints: 50);

        summary.Should().Contain("- none sampled").And.Contain("- none completed").And.Contain("- learning_rate: not reported");
    }

    [Fact]
    public async Task BuildSummary_NonFiniteLoss_MinIgnoresItAndCountsIt()
    {
        using var run = await new TestRun().Losses([1.0, 0.5, double.NaN]).SettledAsync();

        var summary = AnalysisPrompt.BuildSummary(RunHistory.Read(run.Bus, run.Id), s_someFindings, maxPoints: 50);

        summary.Should().Contain("last: NaN at step 3; min: 0.5 at step 2; not finite: 1");
    }

    [Fact]
    public async Task BuildSummary_LongSeries_BoundedByMaxPoints()
    {
        using var run = await new TestRun().Losses(Series.Decaying(500, ratio: 0.999)).SettledAsync();
        for (var epoch = 1; epoch <= 30; epoch++)
        {
            run.Epoch(epoch, trainLoss: 1.0 / epoch, valLoss: 1.0 / epoch);
        }

        await run.SettledAsync();

        var summary = AnalysisPrompt.BuildSummary(RunHistory.Read(run.Bus, run.Id), s_someFindings, maxPoints: 10);

        var lines = summary.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var samples = lines.Single(l => l.StartsWith("- samples (", StringComparison.Ordinal));
        samples.Should().Contain("10 of 500").And.Contain("): 1:2, ").And.EndWith($", 500:{Numbers.Format(2 * Math.Pow(0.999, 499))}");
        samples[(samples.IndexOf("): ", StringComparison.Ordinal) + 3)..].Split(", ").Should().HaveCount(10);
        lines.Count(l => l.StartsWith("- epoch ", StringComparison.Ordinal)).Should().Be(10);
        summary.Should().Contain("- epoch 1: ").And.Contain("- epoch 30: ");
    }

    [Theory]
    [InlineData(5, 10, new[] { 0, 1, 2, 3, 4 })]
    [InlineData(10, 1, new[] { 9 })]
    [InlineData(10, 2, new[] { 0, 9 })]
    [InlineData(10, 4, new[] { 0, 3, 6, 9 })]
    [InlineData(101, 5, new[] { 0, 25, 50, 75, 100 })]
    public void Thin_Items_KeepsFirstAndLastEvenlySpaced(int count, int max, int[] expected)
    {
        AnalysisPrompt.Thin(Enumerable.Range(0, count).ToList(), max).Should().Equal(expected);
    }
}
