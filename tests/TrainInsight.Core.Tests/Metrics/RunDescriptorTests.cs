namespace TrainInsight.Tests.Metrics;

public class RunDescriptorTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("run-1")]
    [InlineData("Run_2.v3")]
    public void Constructor_ValidId_SetsIdAndDefaultsNameToId(string id)
    {
        var before = DateTimeOffset.UtcNow;

        var run = new RunDescriptor(id);

        run.Id.Should().Be(id);
        run.Name.Should().Be(id);
        run.StartedAt.Should().BeOnOrAfter(before);
        run.ModelName.Should().BeNull();
    }

    [Fact]
    public void Constructor_IdOf128Characters_IsAccepted()
    {
        var id = new string('x', 128);

        new RunDescriptor(id).Id.Should().Be(id);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("slash/")]
    [InlineData("é")]
    [InlineData("semi;colon")]
    public void Constructor_IdWithOtherCharacters_ThrowsArgumentException(string candidate)
    {
        var create = () => new RunDescriptor(candidate);

        create.Should().Throw<ArgumentException>().WithParameterName("id");
    }

    [Fact]
    public void Constructor_IdOf129Characters_ThrowsArgumentException()
    {
        var create = () => new RunDescriptor(new string('x', 129));

        create.Should().Throw<ArgumentException>().WithParameterName("id");
    }

    [Fact]
    public void Constructor_NullId_ThrowsArgumentNullException()
    {
        var create = () => new RunDescriptor(null!);

        create.Should().Throw<ArgumentNullException>();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Constructor_EmptyOrWhiteSpaceId_ThrowsArgumentException(string id)
    {
        var create = () => new RunDescriptor(id);

        create.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Create_NameWithSpacesAndSlashes_ReturnsValidUniqueIdKeepingName()
    {
        var first = RunDescriptor.Create("my cnn / cifar 10");
        var second = RunDescriptor.Create("my cnn / cifar 10");

        first.Name.Should().Be("my cnn / cifar 10");
        first.Id.Should().StartWith("my-cnn---cifar-10-");
        RunDescriptor.IsValidId(first.Id).Should().BeTrue();
        second.Id.Should().NotBe(first.Id);
    }

    [Fact]
    public void Create_VeryLongName_ReturnsIdOfAtMost128Characters()
    {
        var run = RunDescriptor.Create(new string('n', 500));

        run.Id.Length.Should().BeLessThanOrEqualTo(128);
        RunDescriptor.IsValidId(run.Id).Should().BeTrue();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void Create_NullOrBlankName_ThrowsArgumentException(string? name)
    {
        var create = () => RunDescriptor.Create(name!);

        create.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("ok-id_1.2", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("not ok", false)]
    public void IsValidId_Candidate_ReturnsExpected(string? id, bool expected)
    {
        RunDescriptor.IsValidId(id).Should().Be(expected);
    }

    [Fact]
    public void Hyperparameters_Initialized_CopiedSoLaterChangesDoNotLeakIn()
    {
        var values = new Dictionary<string, HyperparameterValue> { [HyperparameterNames.Optimizer] = "sgd", [HyperparameterNames.LearningRate] = 0.05 };

        var run = new RunDescriptor("run-h") { Hyperparameters = values };
        values[HyperparameterNames.Optimizer] = "adam";

        run.Hyperparameters[HyperparameterNames.Optimizer].Text.Should().Be("sgd");
        run.Hyperparameters.Should().HaveCount(2);
        new RunDescriptor("run-empty").Hyperparameters.Should().BeEmpty();
    }

    [Fact]
    public void Hyperparameters_TooManyOrBadNames_ThrowArgumentException()
    {
        var tooMany = Enumerable.Range(0, RunDescriptor.MaxHyperparameters + 1).ToDictionary(i => $"p{i}", i => (HyperparameterValue)i);
        var longName = new Dictionary<string, HyperparameterValue> { [new string('n', RunDescriptor.MaxHyperparameterNameLength + 1)] = 1 };
        var emptyName = new Dictionary<string, HyperparameterValue> { [string.Empty] = 1 };

        FluentActions.Invoking(() => new RunDescriptor("r") { Hyperparameters = tooMany }).Should().Throw<ArgumentException>().WithMessage("A run may carry at most 256 hyperparameters; got 257.*");
        FluentActions.Invoking(() => new RunDescriptor("r") { Hyperparameters = longName }).Should().Throw<ArgumentException>().WithMessage("A hyperparameter name must have 1 to 256 characters; got 257.*");
        FluentActions.Invoking(() => new RunDescriptor("r") { Hyperparameters = emptyName }).Should().Throw<ArgumentException>();
    }
}
