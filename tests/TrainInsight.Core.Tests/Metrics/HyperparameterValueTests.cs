namespace TrainInsight.Tests.Metrics;

public class HyperparameterValueTests
{
    [Fact]
    public void ImplicitConversions_NumberTextBoolean_KeepKindAndValue()
    {
        HyperparameterValue rate = 0.001;
        HyperparameterValue batch = 128;
        HyperparameterValue optimizer = "adam";
        HyperparameterValue augment = true;

        (rate.Kind, rate.Number).Should().Be((HyperparameterKind.Number, 0.001));
        (batch.Kind, batch.Number).Should().Be((HyperparameterKind.Number, 128.0));
        (optimizer.Kind, optimizer.Text).Should().Be((HyperparameterKind.Text, "adam"));
        (augment.Kind, augment.Boolean).Should().Be((HyperparameterKind.Boolean, true));
        rate.ToString().Should().Be("0.001");
        augment.ToString().Should().Be("true");
    }

    [Fact]
    public void Accessors_WrongKind_ThrowSayingWhatItHolds()
    {
        HyperparameterValue text = "cosine";

        FluentActions.Invoking(() => text.Number).Should().Throw<InvalidOperationException>().WithMessage("The hyperparameter holds a text, not a number.");
        FluentActions.Invoking(() => ((HyperparameterValue)1.0).Boolean).Should().Throw<InvalidOperationException>();
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void FromNumber_NonFinite_Throws(double value) =>
        FluentActions.Invoking(() => HyperparameterValue.FromNumber(value)).Should().Throw<ArgumentOutOfRangeException>();

    [Fact]
    public void FromText_TooLong_Throws() =>
        FluentActions.Invoking(() => HyperparameterValue.FromText(new string('x', HyperparameterValue.MaxTextLength + 1)))
            .Should().Throw<ArgumentException>().WithMessage("A hyperparameter's text may have at most 1,024 characters; this one has 1,025.*");

    [Fact]
    public void Equality_SameKindAndContent_Equal()
    {
        ((HyperparameterValue)1.0 == (HyperparameterValue)1).Should().BeTrue();
        ((HyperparameterValue)"1" == (HyperparameterValue)1.0).Should().BeFalse();
        ((HyperparameterValue)true).Should().NotBe((HyperparameterValue)1.0);
    }
}
