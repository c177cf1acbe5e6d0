using TrainInsight.Llm.Internal.Control;

namespace TrainInsight.Llm.Tests.Internal.Control;

public class ControlGrammarTests
{
    [Theory]
    [InlineData("pause", "Pause")]
    [InlineData("Pause the training", "Pause")]
    [InlineData("can you pause the training?", "Pause")]
    [InlineData("暂停训练", "Pause")]
    [InlineData("resume", "Resume")]
    [InlineData("继续训练", "Resume")]
    [InlineData("stop training now", "Stop")]
    [InlineData("停止", "Stop")]
    [InlineData("save a checkpoint", "SaveCheckpoint")]
    [InlineData("保存检查点", "SaveCheckpoint")]
    [InlineData("evaluate now", "Evaluate")]
    [InlineData("run validation", "Evaluate")]
    [InlineData("评估一下", "Evaluate")]
    public void Parse_SimpleCommand_OneClauseWithItsIntent(string message, string intent)
    {
        var plan = ControlGrammar.Parse(message);

        plan.Should().NotBeNull();
        plan!.Clauses.Should().ContainSingle().Which.Intent.Should().Be(Enum.Parse<ControlIntent>(intent));
    }

    [Theory]
    [InlineData("set lr to 1e-4", 1e-4)]
    [InlineData("Set the learning rate to 0.003", 0.003)]
    [InlineData("lower the learning rate to 0.001", 0.001)]
    [InlineData("lr=0.05", 0.05)]
    [InlineData("学习率设为0.001", 0.001)]
    [InlineData("把学习率改成3e-4", 3e-4)]
    public void Parse_SetLearningRate_ReadsTheValue(string message, double value)
    {
        var clause = ControlGrammar.Parse(message)!.Clauses.Should().ContainSingle().Subject;

        clause.Intent.Should().Be(ControlIntent.SetLearningRate);
        clause.Value.Should().Be(value);
    }

    [Theory]
    [InlineData("halve the learning rate", 0.5)]
    [InlineData("cut the lr in half", 0.5)]
    [InlineData("lower the lr by 10x", 0.1)]
    [InlineData("reduce the learning rate by a factor of 4", 0.25)]
    [InlineData("divide the learning rate by 10", 0.1)]
    [InlineData("double the learning rate", 2.0)]
    [InlineData("increase the lr by 3x", 3.0)]
    [InlineData("reduce the learning rate by 30%", 0.7)]
    [InlineData("把学习率降到一半", 0.5)]
    [InlineData("学习率减半", 0.5)]
    [InlineData("学习率降低10倍", 0.1)]
    [InlineData("学习率降低十倍", 0.1)]
    [InlineData("学习率翻倍", 2.0)]
    [InlineData("学习率除以5", 0.2)]
    public void Parse_ScaleLearningRate_ReadsTheFactor(string message, double factor)
    {
        var clause = ControlGrammar.Parse(message)!.Clauses.Should().ContainSingle().Subject;

        clause.Intent.Should().Be(ControlIntent.ScaleLearningRate);
        clause.Factor.Should().BeApproximately(factor, 1e-12);
    }

    [Theory]
    [InlineData("save a checkpoint and stop", "SaveCheckpoint,Stop")]
    [InlineData("先保存检查点再停止", "SaveCheckpoint,Stop")]
    [InlineData("halve the learning rate, then evaluate", "ScaleLearningRate,Evaluate")]
    [InlineData("暂停，然后保存检查点", "Pause,SaveCheckpoint")]
    public void Parse_CompoundMessage_OneClausePerCommandInOrder(string message, string intents)
    {
        var plan = ControlGrammar.Parse(message)!;

        plan.Clauses.Select(c => c.Intent.ToString()).Should().Equal(intents.Split(','));
    }

    [Fact]
    public void Parse_PartNotUnderstood_KeepsItQuotedInOrder()
    {
        var plan = ControlGrammar.Parse("save a checkpoint and make it faster and stop")!;

        plan.Clauses.Select(c => c.Text).Should().Equal("save a checkpoint", "make it faster", "stop");
        plan.NotUnderstood.Should().ContainSingle().Which.Text.Should().Be("make it faster");
        plan.Commands.Select(c => c.Intent).Should().Equal(ControlIntent.SaveCheckpoint, ControlIntent.Stop);
    }

    [Theory]
    [InlineData("lower the learning rate", "it does not say to what value or by how much")]
    [InlineData("set the learning rate to 50", "a learning rate must be above 0 and at most 10, and 50 is not")]
    [InlineData("don't stop", "it says not to do something")]
    [InlineData("restore the last checkpoint", "restoring a checkpoint is proposed only as the revert")]
    public void Parse_NearlyACommand_NotUnderstoodWithTheReason(string message, string problem)
    {
        var clause = ControlGrammar.Parse(message)!.Clauses.Should().ContainSingle().Subject;

        clause.Understood.Should().BeFalse();
        clause.Problem.Should().StartWith(problem);
    }

    [Theory]
    [InlineData("How is it going?")]
    [InlineData("should I stop the training")]
    [InlineData("Why did the loss diverge")]
    [InlineData("What should the learning rate be?")]
    [InlineData("要不要暂停？")]
    [InlineData("学习率是多少")]
    [InlineData("Tell me about the run")]
    public void Parse_QuestionOrNoCommand_ReturnsNull(string message)
    {
        ControlGrammar.Parse(message).Should().BeNull();
    }
}
