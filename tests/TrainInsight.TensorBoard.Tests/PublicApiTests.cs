using TrainInsight.Testing;

namespace TrainInsight.TensorBoard.Tests;

/// <summary>Fails when the package's public surface changes, so every change to it is deliberate and reviewed.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_Assembly_MatchesApprovedListing() => PublicApiApproval.Verify(typeof(TensorBoardEventFileReader).Assembly);
}
