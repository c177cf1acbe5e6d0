using System.Buffers.Binary;
using Google.Protobuf;
using TrainInsight.TensorBoard.Internal;
using TrainInsight.TensorBoard.Protos;
using TrainInsight.TensorBoard.Tests.Infrastructure;
using static TrainInsight.TensorBoard.Tests.Infrastructure.EventFileBuilder;

namespace TrainInsight.TensorBoard.Tests.Internal;

/// <summary>The plain-scalar fast path must decode exactly as the generated parser does, or decline.</summary>
public sealed class SimpleSummaryDecoderTests
{
    [Fact]
    public void TryDecode_EveryFixtureRecord_MatchesTheGeneratedParser()
    {
        var records = 0;
        var fast = 0;
        foreach (var file in TensorBoardLogDirectory.EnumerateEventFiles(Fixtures.Directory))
        {
            foreach (var payload in Payloads(File.ReadAllBytes(file.Path)))
            {
                records++;
                fast += Summary(payload) is { } summary && SimpleSummaryDecoder.TryDecode(summary, new StringCache(), out _) ? 1 : 0;
                AssertSameDecoding(payload, file.Path);
            }
        }

        records.Should().Be(FixtureManifest.Entries.Sum(e => e.Records));
        fast.Should().BeGreaterThan(records / 2, "most real records are plain scalars");
    }

    [Fact]
    public void TryDecode_OtherValueKinds_Declines()
    {
        var tensor = Tensor(DataType.DtFloat);
        tensor.FloatVal.Add(1);
        Summary.Types.Value[] declined =
        [
            TensorValue("t", tensor, "scalars"),
            new Summary.Types.Value { Tag = "h", Histo = new HistogramProto() },
            WithPlugin(new Summary.Types.Value { Tag = "hp", SimpleValue = 1 }, "hparams"),
            new Summary.Types.Value { Tag = "none" },
        ];

        foreach (var value in declined)
        {
            var summary = new Summary { Value = { SimpleValue("ok", 1f), value } }.ToByteArray();
            SimpleSummaryDecoder.TryDecode(summary, new StringCache(), out _).Should().BeFalse(value.ToString());
        }
    }

    [Fact]
    public void TryDecode_PlainScalarsWithMetadata_DecodesThemAndSharesTagStrings()
    {
        var cache = new StringCache();
        var summary = new Summary { Value = { SimpleValue("loss", 0.5f, "scalars"), new Summary.Types.Value { NodeName = "node", SimpleValue = float.NaN } } };
        summary.Value[0].Metadata.DisplayName = "Loss";
        summary.Value[0].Metadata.DataClass = 1;

        SimpleSummaryDecoder.TryDecode(summary.ToByteArray(), cache, out var first).Should().BeTrue();
        SimpleSummaryDecoder.TryDecode(summary.ToByteArray(), cache, out var second).Should().BeTrue();

        first.Select(v => (v.Tag, v.Kind, v.PluginName)).Should().Equal(("loss", TensorBoardValueKind.Scalar, "scalars"), ("node", TensorBoardValueKind.Scalar, null));
        first[0].Value.Should().Be(0.5);
        double.IsNaN(first[1].Value).Should().BeTrue();
        ReferenceEquals(first[0].Tag, second[0].Tag).Should().BeTrue("a reader decodes each tag once");
    }

    [Fact]
    public void TryDecode_MutatedSummaryPayloads_AgreesWithTheGeneratedParserOrDeclines()
    {
        var random = new Random(4242);
        var seeds = TensorBoardLogDirectory.EnumerateEventFiles(Fixtures.Directory)
            .SelectMany(f => Payloads(File.ReadAllBytes(f.Path)))
            .Where(p => p.Length < 4096)
            .ToList();
        for (var i = 0; i < 50_000; i++)
        {
            var payload = seeds[random.Next(seeds.Count)];
            for (var n = 1 + random.Next(3); n > 0; n--)
            {
                payload[random.Next(payload.Length)] ^= (byte)(1 << random.Next(8));
            }

            AssertSameDecoding(payload, $"mutation {i}");
        }
    }

    private static void AssertSameDecoding(byte[] payload, string because)
    {
        var fastOk = EventDecoder.TryDecode(payload, new StringCache(), out var fast, fastPath: true);
        var slowOk = EventDecoder.TryDecode(payload, new StringCache(), out var slow, fastPath: false);
        if (fastOk != slowOk || !EventEquality.Same(fast, slow))
        {
            throw new Xunit.Sdk.XunitException($"The fast path decodes {Convert.ToHexString(payload)} differently ({because}): {fastOk} vs {slowOk}.");
        }
    }

    /// <summary>The data of every frame of a well-framed file.</summary>
    private static IEnumerable<byte[]> Payloads(byte[] file)
    {
        var offset = 0;
        while (file.Length - offset >= TfRecordScanner.HeaderLength)
        {
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(offset));
            yield return file.AsSpan(offset + TfRecordScanner.HeaderLength, length).ToArray();
            offset += TfRecordScanner.HeaderLength + length + TfRecordScanner.FooterLength;
        }
    }

    private static byte[]? Summary(byte[] payload)
    {
        try
        {
            var e = Event.Parser.ParseFrom(payload);
            return e.WhatCase == Event.WhatOneofCase.Summary ? e.Summary.ToByteArray() : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
