using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TrainInsight.TensorBoard.Internal;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) and the TFRecord mask over it.
/// </summary>
/// <remarks>
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> is the CPU's CRC32 instruction where there is one (SSE 4.2 on x64,
/// the CRC32 extension on Arm64) and a table otherwise. Three independent streams are interleaved over large inputs so
/// the instruction's latency overlaps, then combined with <see cref="Shift"/>. Check value: "123456789" → 0xE3069283.
/// </remarks>
internal static class Crc32C
{
    private const int StripeBytes = 8 * 256;   // one of the three interleaved lanes covers 256 words

    /// <summary>Shifts a CRC by <see cref="StripeBytes"/> zero bytes; precomputed once.</summary>
    private static readonly uint[] s_shiftTable = BuildShiftTable(StripeBytes);

    /// <summary>Computes the CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(~0u, data);

    /// <summary>Computes the masked CRC-32C stored in TFRecord framing.</summary>
    public static uint ComputeMasked(ReadOnlySpan<byte> data) => Mask(Compute(data));

    /// <summary>The TFRecord mask: rotate right by 15 bits, then add 0xa282ead8.</summary>
    public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8u;

    /// <summary>Continues a raw (not inverted) CRC state over <paramref name="data"/>.</summary>
    private static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;

        // Three lanes of StripeBytes each: independent dependency chains, combined at the end of each block.
        const int block = 3 * StripeBytes;
        while (length - i >= block)
        {
            uint crc1 = 0, crc2 = 0;
            ref byte lane0 = ref Unsafe.Add(ref start, i);
            ref byte lane1 = ref Unsafe.Add(ref lane0, StripeBytes);
            ref byte lane2 = ref Unsafe.Add(ref lane0, 2 * StripeBytes);
            for (nuint j = 0; j < StripeBytes; j += 8)
            {
                crc = BitOperations.Crc32C(crc, ReadUInt64(ref Unsafe.Add(ref lane0, j)));
                crc1 = BitOperations.Crc32C(crc1, ReadUInt64(ref Unsafe.Add(ref lane1, j)));
                crc2 = BitOperations.Crc32C(crc2, ReadUInt64(ref Unsafe.Add(ref lane2, j)));
            }

            crc = Shift(crc) ^ crc1;
            crc = Shift(crc) ^ crc2;
            i += block;
        }

        for (; length - i >= 8; i += 8)
        {
            crc = BitOperations.Crc32C(crc, ReadUInt64(ref Unsafe.Add(ref start, i)));
        }

        for (; i < length; i++)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.Add(ref start, i));
        }

        return crc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadUInt64(ref byte source)
    {
        var value = Unsafe.ReadUnaligned<ulong>(ref source);
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    /// <summary>Advances a raw CRC state over <see cref="StripeBytes"/> zero bytes (a linear map: four byte tables).</summary>
    private static uint Shift(uint crc)
    {
        var table = s_shiftTable;
        return table[crc & 0xFF] ^ table[256 + ((crc >> 8) & 0xFF)] ^ table[512 + ((crc >> 16) & 0xFF)] ^ table[768 + (crc >> 24)];
    }

    private static uint[] BuildShiftTable(int zeroBytes)
    {
        // The zero-byte shift is linear over GF(2): shift each of the 32 basis bits, then tabulate every byte value in
        // each of the four byte positions as the XOR of its bits' images.
        Span<uint> basis = stackalloc uint[32];
        for (var bit = 0; bit < 32; bit++)
        {
            var crc = 1u << bit;
            for (var n = 0; n < zeroBytes; n += 8)
            {
                crc = BitOperations.Crc32C(crc, 0UL);
            }

            basis[bit] = crc;
        }

        var table = new uint[4 * 256];
        for (var position = 0; position < 4; position++)
        {
            for (var b = 0; b < 256; b++)
            {
                uint image = 0;
                for (var bit = 0; bit < 8; bit++)
                {
                    if ((b & (1 << bit)) != 0)
                    {
                        image ^= basis[(8 * position) + bit];
                    }
                }

                table[(position * 256) + b] = image;
            }
        }

        return table;
    }
}
