using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using TrainInsight.TensorBoard.Internal;
using TrainInsight.TensorBoard.Protos;
using TrainInsight.TensorBoard.Tests.Infrastructure;
using static TrainInsight.TensorBoard.Tests.Infrastructure.EventFileBuilder;

namespace TrainInsight.TensorBoard.Tests.Files;

/// <summary>
/// A seeded, bounded randomized-mutation test of the reader: real fixture files and a synthetic TF2 file, damaged by bit
/// flips, truncation, inserted, deleted, duplicated and overwritten bytes, forged lengths (with and without a matching
/// length CRC) and payload damage under recomputed CRCs (so the event decoder sees it). Every input is read in one pass
/// and again in two parts (as a growing file); both must agree, nothing may throw, and the reader may allocate at most
/// 1 MiB per input.
/// </summary>
/// <remarks>
/// 100,000 inputs by default. For a longer run set TRAININSIGHT_FUZZ_ITERATIONS (e.g. 1000000) and optionally
/// TRAININSIGHT_FUZZ_SEED: <c>TRAININSIGHT_FUZZ_ITERATIONS=1000000 dotnet test tests/TrainInsight.TensorBoard.Tests -c Release
/// --filter FullyQualifiedName~Fuzz</c>. A failure names the seed and the input's index, which reproduce it.
/// </remarks>
public sealed class TensorBoardEventFileReaderFuzzTests
{
    private const int DefaultIterations = 100_000;
    private const int DefaultSeed = 20_260_515;
    private const long AllocationLimitPerInput = 1 << 20;

    /// <summary>Not a performance assertion: an input that takes this long means the reader hangs.</summary>
    private static readonly TimeSpan s_hangLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public void ReadAvailable_RandomlyMutatedFiles_NeverThrowAgreeWhenReadInPartsAndStayBounded()
    {
        var iterations = EnvironmentInt("TRAININSIGHT_FUZZ_ITERATIONS", DefaultIterations);
        var seed = EnvironmentInt("TRAININSIGHT_FUZZ_SEED", DefaultSeed);
        var seeds = Seeds();
        var random = new Random(seed);
        var failures = new StringBuilder();
        var failureCount = 0;
        long maxAllocated = 0, totalEvents = 0, totalCorrupt = 0, totalUnreadable = 0, totalPartial = 0;
        var watch = Stopwatch.StartNew();

        // Warm the pool and the parsers so that one-time allocations are not charged to the first input.
        Read(seeds[0].Bytes, seeds[0].Bytes.Length);

        for (var i = 0; i < iterations && failureCount < 10; i++)
        {
            var source = seeds[random.Next(seeds.Length)];
            var input = Mutate(source, random);
            var split = random.Next(input.Length + 1);
            var started = watch.Elapsed;
            try
            {
                var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                var whole = Read(input, input.Length);
                var parts = Read(input, split);
                var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                maxAllocated = Math.Max(maxAllocated, allocated);
                totalEvents += whole.Events;
                totalCorrupt += whole.Corrupt;
                totalUnreadable += whole.Unreadable;
                totalPartial += whole.Partial ? 1 : 0;

                var problem =
                    whole != parts ? $"one pass {whole} but two parts (split at {split}) {parts}"
                    : whole.Position > input.Length ? $"position {whole.Position} beyond the {input.Length} bytes"
                    : whole.Partial != (whole.Position < input.Length) ? $"partial={whole.Partial} at position {whole.Position} of {input.Length}"
                    : whole.Events + whole.Unreadable != whole.Records ? $"{whole.Records} records but {whole.Events} events and {whole.Unreadable} unreadable"
                    : allocated > AllocationLimitPerInput ? $"allocated {allocated:N0} bytes"
                    : watch.Elapsed - started > s_hangLimit ? $"took {watch.Elapsed - started}"
                    : null;
                if (problem is not null)
                {
                    failureCount++;
                    failures.AppendLine(CultureInfo.InvariantCulture, $"input {i} (from {source.Name}, {input.Length} bytes): {problem}");
                }
            }
            catch (Exception e)
            {
                failureCount++;
                failures.AppendLine(CultureInfo.InvariantCulture, $"input {i} (from {source.Name}, {input.Length} bytes) threw {e}");
            }
        }

        Console.WriteLine(
            $"TensorBoard fuzz: {iterations:N0} inputs (seed {seed}) in {watch.Elapsed.TotalSeconds:F1} s; " +
            $"{totalEvents:N0} events, {totalCorrupt:N0} corrupt records, {totalUnreadable:N0} unreadable, {totalPartial:N0} inputs ending partial; " +
            $"at most {maxAllocated:N0} bytes allocated for one input (both reads)");
        failures.ToString().Should().BeEmpty($"seed {seed} must survive every input");
        totalEvents.Should().BePositive();
        totalCorrupt.Should().BePositive("the mutations reach the CRC checks");
        totalUnreadable.Should().BePositive("payload damage under valid CRCs reaches the decoder");
    }

    private readonly record struct Outcome(long Events, long Records, long Corrupt, long Unreadable, bool Partial, long Position, int Values);

    /// <summary>Reads the first <paramref name="firstPart"/> bytes, then the whole input, as from a growing file.</summary>
    private static Outcome Read(byte[] input, int firstPart)
    {
        var stream = new GrowingStream(input, firstPart);
        using var reader = new TensorBoardEventFileReader(stream, "(fuzz)");
        long events = 0;
        var values = 0;
        foreach (var e in reader.ReadAvailable())
        {
            events++;
            values += e.Values.Count;
        }

        if (firstPart < input.Length)
        {
            stream.Reveal(input.Length);
            foreach (var e in reader.ReadAvailable())
            {
                events++;
                values += e.Values.Count;
            }
        }

        return new Outcome(events, reader.RecordsRead, reader.CorruptRecords, reader.UnreadableRecords, reader.HasPartialRecord, reader.Position, values);
    }

    private sealed record SeedFile(string Name, byte[] Bytes, int[] FrameOffsets);

    private static SeedFile[] Seeds()
    {
        string[] fixtures =
        [
            "tfevents-js/events.out.tfevents.1687811641.v2",
            "mlagents-soccerppo/events.out.tfevents.1672811155.Animeshs-MacBook-Pro.local.73546.0",
            "wandb/events.out.tfevents.111.simple.localdomain",
            "tensorboard-reducer/strict/run_1/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.0",
            "tensorboard-reducer/lax/run_1/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.3",
            "mlagents-soccerppo/events.out.tfevents.1672989994.Animeshs-MacBook-Pro.local.6487.0",
            "wandb/events.out.tfevents.111.complex.localdomain",
            "wandb/events.out.tfevents.1585769947.cvp",
        ];
        var seeds = fixtures.Select(f => Seed(f, Fixtures.ReadBytes(f))).ToList();

        // The first 8 KiB of the GAN file: custom_scalars layout, histograms, scalars, and a record cut short.
        seeds.Add(Seed("wandb complex (first 8 KiB)", Fixtures.ReadBytes("wandb/events.out.tfevents.111.complex.localdomain")[..8192]));
        seeds.Add(Seed("synthetic TF2", SyntheticTf2File()));
        return [.. seeds];
    }

    private static SeedFile Seed(string name, byte[] bytes)
    {
        var offsets = new List<int>();
        var offset = 0;
        while (bytes.Length - offset >= TfRecordScanner.HeaderLength)
        {
            offsets.Add(offset);
            offset += TfRecordScanner.HeaderLength + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset)) + TfRecordScanner.FooterLength;
        }

        return new SeedFile(name, bytes, [.. offsets]);
    }

    private static byte[] SyntheticTf2File()
    {
        var scalar = Tensor(DataType.DtFloat);
        scalar.TensorContent = ByteString.CopyFrom(BitConverter.GetBytes(0.5f));
        var doubleScalar = Tensor(DataType.DtDouble);
        doubleScalar.DoubleVal.Add(1.25);
        var half = Tensor(DataType.DtHalf);
        half.HalfVal.Add(0x3C00);
        var histogram = Tensor(DataType.DtDouble, 2, 3);
        histogram.TensorContent = ByteString.CopyFrom(new double[] { 0, 1, 3, 1, 2, 4 }.SelectMany(BitConverter.GetBytes).ToArray());
        var builder = new EventFileBuilder()
            .FileVersion()
            .Summary(1, TensorValue("loss", scalar, "scalars"), TensorValue("lr", doubleScalar, "scalars"), TensorValue("h", half, null))
            .Summary(2, TensorValue("weights", histogram, "histograms"))
            .Summary(3, TensorValue("notes", StringTensor("hello"u8.ToArray(), "world"u8.ToArray()), "text"))
            .Summary(4, WithPlugin(new Summary.Types.Value { Tag = "_hparams_/session_start_info" }, "hparams", [0x12, 0x04, 0x0A, 0x02, 0x6C, 0x72]))
            .Summary(5, TensorValue("sample", StringTensor("4"u8.ToArray(), "3"u8.ToArray(), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A]), "images"))
            .Summary(6, SimpleValue("acc", 0.9f, "scalars"), new Summary.Types.Value { Tag = "h2", Histo = new HistogramProto { Min = 0, Max = 1, Num = 2, BucketLimit = { 0.5, 1 }, Bucket = { 1, 1 } } })
            .Event(new Event { Step = 7, SessionLog = new SessionLog { Status = 1 } })
            .Event(new Event { Step = 8, GraphDef = ByteString.CopyFrom(new byte[300]) });
        return builder.ToArray();
    }

    private static byte[] Mutate(SeedFile seed, Random random)
    {
        var bytes = new List<byte>(seed.Bytes);
        var mutations = 1 + random.Next(3);
        for (var m = 0; m < mutations; m++)
        {
            switch (random.Next(9))
            {
                case 0: // bit flips
                    for (var n = 1 + random.Next(8); n > 0 && bytes.Count > 0; n--)
                    {
                        var at = random.Next(bytes.Count);
                        bytes[at] ^= (byte)(1 << random.Next(8));
                    }

                    break;
                case 1: // truncation
                    var length = random.Next(bytes.Count + 1);
                    bytes.RemoveRange(length, bytes.Count - length);
                    break;
                case 2: // inserted bytes
                    var inserted = new byte[1 + random.Next(32)];
                    random.NextBytes(inserted);
                    bytes.InsertRange(random.Next(bytes.Count + 1), inserted);
                    break;
                case 3: // deleted range
                    if (bytes.Count > 0)
                    {
                        var start = random.Next(bytes.Count);
                        bytes.RemoveRange(start, Math.Min(bytes.Count - start, 1 + random.Next(64)));
                    }

                    break;
                case 4: // duplicated range
                    if (bytes.Count > 0)
                    {
                        var start = random.Next(bytes.Count);
                        var range = bytes.GetRange(start, Math.Min(bytes.Count - start, 1 + random.Next(200)));
                        bytes.InsertRange(random.Next(bytes.Count + 1), range);
                    }

                    break;
                case 5: // overwritten range
                    if (bytes.Count > 0)
                    {
                        var start = random.Next(bytes.Count);
                        for (var k = start; k < Math.Min(bytes.Count, start + 1 + random.Next(16)); k++)
                        {
                            bytes[k] = (byte)random.Next(256);
                        }
                    }

                    break;
                case 6: // forged length at a frame start, with or without a matching length CRC
                    ForgeLength(bytes, seed, random);
                    break;
                default: // payload damage under recomputed CRCs, so that the decoder sees it
                    DamagePayload(bytes, seed, random);
                    break;
            }
        }

        return [.. bytes];
    }

    private static void ForgeLength(List<byte> bytes, SeedFile seed, Random random)
    {
        var at = seed.FrameOffsets.Length > 0 && random.Next(4) > 0 ? seed.FrameOffsets[random.Next(seed.FrameOffsets.Length)] : random.Next(Math.Max(1, bytes.Count));
        if (at + TfRecordScanner.HeaderLength > bytes.Count)
        {
            return;
        }

        ulong[] lengths = [1UL << 62, ulong.MaxValue, TfRecordScanner.MaxRecordLength, TfRecordScanner.MaxRecordLength + 1UL, (ulong)random.NextInt64(), (ulong)random.Next(0, 4096), (ulong)(bytes.Count - at)];
        var header = Header(lengths[random.Next(lengths.Length)]);
        if (random.Next(2) == 0)
        {
            header[8 + random.Next(4)] ^= (byte)(1 + random.Next(255));
        }

        for (var k = 0; k < header.Length; k++)
        {
            bytes[at + k] = header[k];
        }
    }

    private static void DamagePayload(List<byte> bytes, SeedFile seed, Random random)
    {
        if (seed.FrameOffsets.Length == 0)
        {
            return;
        }

        var at = seed.FrameOffsets[random.Next(seed.FrameOffsets.Length)];
        if (at + TfRecordScanner.HeaderLength > bytes.Count)
        {
            return;
        }

        var declared = BinaryPrimitives.ReadUInt64LittleEndian(bytes.GetRange(at, 8).ToArray());
        var room = bytes.Count - at - TfRecordScanner.HeaderLength - TfRecordScanner.FooterLength;
        if (room < 0 || declared > (ulong)room)
        {
            return;   // an earlier mutation moved the framing: nothing to re-sign here
        }

        var length = (int)declared;

        var payload = bytes.GetRange(at + TfRecordScanner.HeaderLength, length);
        switch (random.Next(3))
        {
            case 0:
                for (var n = 1 + random.Next(4); n > 0 && payload.Count > 0; n--)
                {
                    payload[random.Next(payload.Count)] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 1:
                if (payload.Count > 0)
                {
                    payload[random.Next(payload.Count)] = (byte)random.Next(256);
                }

                break;
            default:
                if (payload.Count > 0)
                {
                    var start = random.Next(payload.Count);
                    payload.RemoveRange(start, Math.Min(payload.Count - start, 1 + random.Next(8)));
                }

                break;
        }

        var frame = Frame(payload.ToArray());
        bytes.RemoveRange(at, TfRecordScanner.HeaderLength + length + TfRecordScanner.FooterLength);
        bytes.InsertRange(at, frame);
    }

    private static int EnvironmentInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
