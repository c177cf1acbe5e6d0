using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision.Tests.Models;

public sealed class SmallCnnTests
{
    // conv1 1·16·9+16, conv2 16·32·9+32, fc1 (32·7·7)·64+64, fc2 64·10+10.
    private const long DefaultParameterCount = 160 + 4_640 + 100_416 + 650;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(128)]
    public void Forward_DefaultModel_ReturnsLogitsPerImageAndClass(int batch)
    {
        using var model = new SmallCnn();
        using var scope = NewDisposeScope();

        var output = model.call(rand(batch, 1, 28, 28));

        output.shape.Should().Equal(batch, 10);
        output.dtype.Should().Be(ScalarType.Float32);
        output.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Forward_CustomChannelsClassesAndSize_ReturnsMatchingLogits()
    {
        using var model = new SmallCnn(inputChannels: 3, classes: 5, imageSize: 32);
        using var scope = NewDisposeScope();

        model.call(rand(2, 3, 32, 32)).shape.Should().Equal(2, 5);
    }

    [Fact]
    public void Forward_WrongImageSize_ThrowsFromTorch()
    {
        using var model = new SmallCnn();
        using var scope = NewDisposeScope();

        var act = () => model.call(rand(2, 1, 32, 32));

        act.Should().Throw<Exception>("the first linear layer expects 28×28 inputs");
    }

    [Fact]
    public void Forward_InsideCallerScope_LeavesOnlyTheOutputThere()
    {
        using var model = new SmallCnn();
        using var scope = NewDisposeScope();
        var input = rand(4, 1, 28, 28);
        var before = scope.DisposablesCount;

        var output = model.call(input);

        scope.DisposablesCount.Should().Be(before + 1, "intermediate activations are freed inside forward");
        scope.Contains(output).Should().BeTrue();
    }

    [Fact]
    public void Parameters_DefaultModel_CountsAllTrainableWeights()
    {
        using var model = new SmallCnn();

        model.parameters().Sum(p => p.numel()).Should().Be(DefaultParameterCount);
        model.parameters().Should().HaveCount(8).And.OnlyContain(p => p.requires_grad);
        model.GetName().Should().Be("SmallCnn");
    }

    [Fact]
    public void Backward_OneStep_GivesEveryParameterAGradient()
    {
        using var model = new SmallCnn();
        using var scope = NewDisposeScope();

        var loss = nn.functional.cross_entropy(model.call(rand(8, 1, 28, 28)), randint(0, 10, [8]));
        loss.backward();

        model.parameters().Select(p => p.grad).Should().NotContainNulls();
    }

    [Fact]
    public void Constructor_SameSeed_GivesSameWeights()
    {
        random.manual_seed(123);
        using var first = new SmallCnn();
        random.manual_seed(123);
        using var second = new SmallCnn();
        using var scope = NewDisposeScope();

        first.parameters().Zip(second.parameters(), (a, b) => a.eq(b).all().item<bool>()).Should().HaveCount(8).And.OnlyContain(same => same);
    }

    [Theory]
    [InlineData(0, 10, 28)]
    [InlineData(1, 1, 28)]
    [InlineData(1, 10, 0)]
    [InlineData(1, 10, 30)]
    [InlineData(1, 10, 2)]
    public void Constructor_InvalidArguments_ThrowArgumentOutOfRange(int inputChannels, int classes, int imageSize)
    {
        var act = () => new SmallCnn(inputChannels, classes, imageSize);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Dispose_Twice_DoesNotThrow()
    {
        var model = new SmallCnn();

        model.Dispose();

        FluentActions.Invoking(model.Dispose).Should().NotThrow();
    }
}
