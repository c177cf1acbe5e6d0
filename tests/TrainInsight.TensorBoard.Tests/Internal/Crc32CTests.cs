using System.Text;
using TrainInsight.TensorBoard.Internal;

namespace TrainInsight.TensorBoard.Tests.Internal;

public sealed class Crc32CTests
{
    [Fact]
    public void Compute_StandardCheckInput_ReturnsCheckValue() =>
        Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")).Should().Be(0xE3069283u);

    [Fact]
    public void Compute_Empty_ReturnsZero() => Crc32C.Compute([]).Should().Be(0u);

    [Fact]
    public void Compute_ThirtyTwoZeroBytes_ReturnsPublishedValue() =>
        // RFC 3720 (iSCSI), B.4: 32 bytes of zeros.
        Crc32C.Compute(new byte[32]).Should().Be(0x8A9136AAu);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(6143)]
    [InlineData(6144)]
    [InlineData(6145)]
    [InlineData(12_288 + 13)]
    [InlineData(100_003)]
    public void Compute_AnyLength_MatchesBitwiseReference(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);

        Crc32C.Compute(data).Should().Be(BitwiseCrc32C(data), "the interleaved lanes combine to the plain CRC");
    }

    [Fact]
    public void Mask_Value_RotatesAndAddsTheTfRecordConstant()
    {
        Crc32C.Mask(0).Should().Be(0xa282ead8u);
        Crc32C.Mask(0x00008000u).Should().Be(1u + 0xa282ead8u, "bit 15 rotates to bit 0");
        Crc32C.Mask(1).Should().Be(unchecked((1u << 17) + 0xa282ead8u));
    }

    private static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = ~0u;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
