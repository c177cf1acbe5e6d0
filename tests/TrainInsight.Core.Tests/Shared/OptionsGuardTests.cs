using TrainInsight.Internal;

namespace TrainInsight.Tests.Shared;

/// <summary>The range checks every options class uses (src/Shared, compiled into each package).</summary>
public class OptionsGuardTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(10, true)]
    [InlineData(11, false)]
    public void InRange_Int_AcceptsTheClosedRangeOnly(int value, bool accepted)
    {
        var act = () => OptionsGuard.InRange(value, 1, 10, "Setting");

        if (accepted)
        {
            act().Should().Be(value);
        }
        else
        {
            act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Setting must be between 1 and 10.*")
                .Which.ParamName.Should().Be("Setting");
        }
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-0.5)]
    public void InRange_Double_RejectsNonFiniteAndOutside(double value) =>
        FluentActions.Invoking(() => OptionsGuard.InRange(value, 0, 1, "Fraction")).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("Fraction must be a finite number between 0 and 1.*");

    [Fact]
    public void HalfOpenRanges_Boundaries_FollowTheirSide()
    {
        OptionsGuard.AboveAndAtMost(10, 0, 10, "Rate").Should().Be(10);
        FluentActions.Invoking(() => OptionsGuard.AboveAndAtMost(0, 0, 10, "Rate")).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("Rate must be a finite number greater than 0 and at most 10.*");
        OptionsGuard.AtLeastAndBelow(0, 0, 1, "Momentum").Should().Be(0);
        FluentActions.Invoking(() => OptionsGuard.AtLeastAndBelow(1, 0, 1, "Momentum")).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("Momentum must be a finite number of at least 0 and less than 1.*");
    }

    [Fact]
    public void NullableRanges_Null_Accepted()
    {
        OptionsGuard.InRangeOrNull(null, 1, 2, "Capacity").Should().BeNull();
        OptionsGuard.AtLeastOrNull((int?)null, 1, "Runs").Should().BeNull();
        OptionsGuard.AtLeastOrNull((TimeSpan?)null, TimeSpan.FromMinutes(1), "Age").Should().BeNull();
        FluentActions.Invoking(() => OptionsGuard.AtLeastOrNull(TimeSpan.FromSeconds(59), TimeSpan.FromMinutes(1), "Age"))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("Age must be null or at least 1 minute.*");
    }

    [Fact]
    public void Defined_UndefinedEnumValue_ListsTheNames() =>
        FluentActions.Invoking(() => OptionsGuard.Defined((RunState)42, "State")).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("State must be one of Training, Paused, Stopped, Completed, Failed, Lost; 42 is not.*");
}
