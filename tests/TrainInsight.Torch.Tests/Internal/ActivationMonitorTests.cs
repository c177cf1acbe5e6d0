using TrainInsight.Torch.Internal;
using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Tests.Internal;

public sealed class ActivationMonitorTests
{
    [Fact]
    public void Constructor_SmallCnn_HooksItsThreeReluModules()
    {
        using var model = new SmallCnn();
        using var monitor = new ActivationMonitor(model);
        monitor.Count.Should().Be(3);
    }

    [Fact]
    public void Collect_NotArmed_HasNothingAndArmedHasEveryLayer()
    {
        using var model = new SmallCnn();
        using var monitor = new ActivationMonitor(model);
        using var scope = NewDisposeScope();
        model.call(randn(4, 1, 28, 28));
        var values = new Dictionary<string, double>();
        monitor.Collect(values);
        values.Should().BeEmpty("unarmed hooks compute nothing");

        monitor.Armed = true;
        model.call(randn(4, 1, 28, 28));
        monitor.Collect(values);
        values.Keys.Should().BeEquivalentTo("dead_relu/relu1", "dead_relu/relu2", "dead_relu/relu3", "dead_relu");

        values.Clear();
        monitor.Collect(values);
        values.Should().BeEmpty("a collect forgets what was seen");
    }

    [Fact]
    public void Dispose_RemovesTheHooks()
    {
        using var model = new SmallCnn();
        var monitor = new ActivationMonitor(model);
        monitor.Dispose();
        monitor.Armed = true;
        using var scope = NewDisposeScope();
        model.call(randn(2, 1, 28, 28));
        var values = new Dictionary<string, double>();
        monitor.Collect(values);
        values.Should().BeEmpty("removed hooks no longer run");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void Collect_FeatureMapWithOneSilentChannel_CountsChannelsWhateverTheBatchSize(int batch)
    {
        using var conv = nn.Conv2d(1, 4, 1);
        using (no_grad())
        {
            // Channel 0 is always negative before the ReLU; channels 1-3 always positive.
            conv.weight!.zero_();
            conv.bias!.copy_(tensor(new float[] { -1, 1, 2, 3 }));
        }

        using var model = nn.Sequential(("conv", conv), ("act", nn.ReLU()));
        using var monitor = new ActivationMonitor(model) { Armed = true };
        using var scope = NewDisposeScope();
        model.call(randn(batch, 1, 5, 5));
        var values = new Dictionary<string, double>();
        monitor.Collect(values);
        values["dead_relu/act"].Should().Be(0.25, "one channel in four is dead, at every position and for every sample");
    }

    [Theory]
    [InlineData("_conv1.weight", "conv1")]
    [InlineData("_block1._conv2.weight", "block1.conv2")]
    [InlineData("_layers.0.bias", "layers.0")]
    [InlineData("weight", "weight")]
    [InlineData("__.weight", "__")]
    public void LayerName_ParameterNames_DropTheParameterAndLeadingUnderscores(string parameter, string layer) =>
        LayerStatisticsCollector.LayerName(parameter).Should().Be(layer);
}
