// Latest results (2026-12-01, one run, shared 2-core VM; eng/torch-env.sh dotnet run -c Release --project
// benchmarks/TrainInsight.Benchmarks -- --filter '*TorchVisionComparison*'):
//
// | Method                                                                | Categories | Mean         | Ratio | Allocated    |
// |---------------------------------------------------------------------- |----------- |-------------:|------:|-------------:|
// | 'Flip+crop 128 images: FlipCropAugmentation'                          | Augment    |     929.6 us |  1.00 |     59.71 KB |
// | 'Flip+crop 128 images: TorchVision functional, per image'             | Augment    |   2,177.3 us |  2.35 |    134.14 KB |
// | 'Decode+resize 256 PNGs: ImageFolder.Load'                            | Decode     |  49,918.1 us |  1.02 |   8521.28 KB |
// | 'Decode+resize 256 PNGs: torchvision.io.read_image + resize'          | Decode     |  70,493.2 us |  1.45 |  12328.21 KB |
// | 'Load 60,000 Fashion-MNIST images: FashionMnist.Load'                 | Load       | 384,234.2 us |  1.12 | 414446.09 KB |
// | 'Load 60,000 Fashion-MNIST images: torchvision.datasets.FashionMNIST' | Load       | 942,645.9 us |  2.74 | 434779.77 KB |

using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SkiaSharp;
using TorchSharp;
using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.Benchmarks.Vision;

/// <summary>
/// Torch.Vision's own pieces against TorchVision 0.107.0 doing the same job (issue 10: use TorchVision where it does what
/// a hand-written piece does, unless measured worse). Each pair is one class's baseline and its alternative:
/// <list type="bullet">
/// <item>Augmenting a batch of 128 Fashion-MNIST-sized images with a random flip and a 4-pixel-padded random crop per
/// image: <see cref="FlipCropAugmentation"/> against TorchVision's functional <c>pad</c>/<c>crop</c>/<c>hflip</c> per image
/// (TorchVision's transform objects apply one random choice to the whole batch, which is not the same augmentation).</item>
/// <item>Loading 60,000 Fashion-MNIST training images: <see cref="FashionMnist.Load"/> (from the gzip files) against
/// <c>torchvision.datasets.FashionMNIST</c> (from the decompressed files it requires, one tensor per image).</item>
/// <item>Decoding and resizing 256 PNG files 64×64 to 32×32 RGB: <see cref="ImageFolder.Load"/> against
/// <c>torchvision.io.read_image</c> with its <c>SkiaImager</c> and <c>transforms.functional.resize</c> per image.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class TorchVisionComparisonBenchmarks
{
    private const int Padding = 4;
    private readonly Random _random = new(7);
    private Tensor _batch = null!;
    private FlipCropAugmentation _augmentation = null!;
    private string _root = null!;
    private string _images = null!;

    [GlobalSetup]
    public void Setup()
    {
        random.manual_seed(1);
        _batch = rand(128, 1, 28, 28);
        _augmentation = new FlipCropAugmentation(7);
        _root = Directory.CreateTempSubdirectory("traininsight-tv-").FullName;

        // torchvision.datasets.FashionMNIST reads <root>/fashion-mnist/test_data/<name> (decompressed).
        var target = Directory.CreateDirectory(Path.Combine(_root, "fashion-mnist", "test_data")).FullName;
        foreach (var name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte" })
        {
            using var source = new GZipStream(File.OpenRead(Path.Combine(FashionMnist.DefaultDirectory, name + ".gz")), CompressionMode.Decompress);
            using var destination = File.Create(Path.Combine(target, name));
            source.CopyTo(destination);
        }

        // Four classes of 64 PNG images, 64×64.
        _images = Path.Combine(_root, "images");
        var generator = new Random(3);
        for (var c = 0; c < 4; c++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(_images, "class" + c)).FullName;
            for (var i = 0; i < 64; i++)
            {
                using var bitmap = new SKBitmap(64, 64);
                for (var y = 0; y < 64; y++)
                {
                    for (var x = 0; x < 64; x++)
                    {
                        bitmap.SetPixel(x, y, new SKColor((byte)generator.Next(256), (byte)(c * 60), (byte)generator.Next(256)));
                    }
                }

                using var data = bitmap.Encode(SKEncodedImageFormat.Png, 90);
                File.WriteAllBytes(Path.Combine(folder, $"{i:D3}.png"), data.ToArray());
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batch.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "Flip+crop 128 images: FlipCropAugmentation")]
    [BenchmarkCategory("Augment")]
    public long FlipCropOwn()
    {
        using var scope = NewDisposeScope();
        return _augmentation.Apply(_batch).numel();
    }

    [Benchmark(Description = "Flip+crop 128 images: TorchVision functional, per image")]
    [BenchmarkCategory("Augment")]
    public long FlipCropTorchVision()
    {
        using var scope = NewDisposeScope();
        var images = new Tensor[_batch.shape[0]];
        for (var i = 0; i < images.Length; i++)
        {
            var padded = torchvision.transforms.functional.pad(_batch[i], Padding, 0, PaddingModes.Zeros);
            var cropped = torchvision.transforms.functional.crop(padded, _random.Next((2 * Padding) + 1), _random.Next((2 * Padding) + 1), 28, 28);
            images[i] = _random.Next(2) == 1 ? torchvision.transforms.functional.hflip(cropped) : cropped;
        }

        return stack(images).numel();
    }

    [Benchmark(Baseline = true, Description = "Load 60,000 Fashion-MNIST images: FashionMnist.Load")]
    [BenchmarkCategory("Load")]
    public long LoadOwn()
    {
        using var data = FashionMnist.Load(FashionMnist.DefaultDirectory, train: true);
        return data.Count;
    }

    [Benchmark(Description = "Load 60,000 Fashion-MNIST images: torchvision.datasets.FashionMNIST")]
    [BenchmarkCategory("Load")]
    public long LoadTorchVision()
    {
        using var data = torchvision.datasets.FashionMNIST(_root, train: true);
        return data.Count;
    }

    [Benchmark(Baseline = true, Description = "Decode+resize 256 PNGs: ImageFolder.Load")]
    [BenchmarkCategory("Decode")]
    public long DecodeOwn()
    {
        using var data = ImageFolder.Load(_images, 32, 32, channels: 3);
        return data.Count;
    }

    [Benchmark(Description = "Decode+resize 256 PNGs: torchvision.io.read_image + resize")]
    [BenchmarkCategory("Decode")]
    public long DecodeTorchVision()
    {
        using var scope = NewDisposeScope();
        var imager = new torchvision.io.SkiaImager();
        var images = new List<Tensor>();
        foreach (var file in Directory.EnumerateFiles(_images, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var image = torchvision.io.read_image(file, torchvision.io.ImageReadMode.RGB, imager);
            images.Add(torchvision.transforms.functional.resize(image.to_type(ScalarType.Float32).div_(255), 32, 32));
        }

        return stack(images).numel();
    }
}
