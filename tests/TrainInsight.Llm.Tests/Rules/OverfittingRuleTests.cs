using TrainInsight.Llm.Internal;
using TrainInsight.Llm.Rules;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Rules;

public class OverfittingRuleTests
{
    [Fact]
    public async Task Evaluate_ValLossRisingTwoEpochsWhileTrainLossFalls_ReportsWarning()
    {
        using var run = await new TestRun()
            .Epoch(1, trainLoss: 1.0, valLoss: 0.9)
            .Epoch(2, trainLoss: 0.8, valLoss: 0.7)
            .Epoch(3, trainLoss: 0.6, valLoss: 0.75)
            .Epoch(4, trainLoss: 0.4, valLoss: 0.8)
            .SettledAsync();

        var finding = new OverfittingRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []);

        finding.Should().NotBeNull();
        finding!.Code.Should().Be(FindingCodes.Overfitting);
        finding.Severity.Should().Be(FindingSeverity.Warning);
        finding.Message.Should().Contain("0.7, 0.75, 0.8").And.Contain("epochs 2-4").And.Contain("0.8, 0.6, 0.4");
    }

    [Fact]
    public async Task Evaluate_ValLossRoseOnlyOnce_ReportsNothing()
    {
        using var run = await new TestRun()
            .Epoch(1, trainLoss: 1.0, valLoss: 0.9)
            .Epoch(2, trainLoss: 0.8, valLoss: 0.7)
            .Epoch(3, trainLoss: 0.6, valLoss: 0.75)
            .SettledAsync();

        // Epochs 1-3: val fell, then rose once.
        new OverfittingRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Fact]
    public async Task Evaluate_ValAndTrainLossBothRising_ReportsNothing()
    {
        using var run = await new TestRun()
            .Epoch(1, trainLoss: 0.5, valLoss: 0.6)
            .Epoch(2, trainLoss: 0.6, valLoss: 0.7)
            .Epoch(3, trainLoss: 0.7, valLoss: 0.8)
            .SettledAsync();

        new OverfittingRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Fact]
    public async Task Evaluate_ValLossFalling_ReportsNothing()
    {
        using var run = await new TestRun()
            .Epoch(1, trainLoss: 1.0, valLoss: 0.9)
            .Epoch(2, trainLoss: 0.8, valLoss: 0.8)
            .Epoch(3, trainLoss: 0.6, valLoss: 0.7)
            .SettledAsync();

        new OverfittingRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Fact]
    public async Task Evaluate_EpochTrainLossFromSampledSteps_ReportsWarning()
    {
        // The epoch events carry only val_loss; train_loss per epoch is the mean of the epoch's samples.
        using var run = await new TestRun()
            .Losses([1.1, 0.9], epoch: 1).Epoch(1, trainLoss: null, valLoss: 0.6)
            .Losses([0.8, 0.6], epoch: 2).Epoch(2, trainLoss: null, valLoss: 0.65)
            .Losses([0.5, 0.3], epoch: 3).Epoch(3, trainLoss: null, valLoss: 0.7)
            .SettledAsync();

        var finding = new OverfittingRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []);

        finding.Should().NotBeNull();
        finding!.Message.Should().Contain("(1, 0.7, 0.4)");
    }

    [Fact]
    public async Task Evaluate_NoEpochs_ReportsNothing()
    {
        using var run = await new TestRun().Losses(Series.Decaying(30)).SettledAsync();

        new OverfittingRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }
}
