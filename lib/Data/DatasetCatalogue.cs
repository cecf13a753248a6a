namespace PruningLab.Data;

/// <summary>
/// The known datasets with their checksums and mirrors. Provenance of every value is in
/// <c>datasets/README.md</c>; change both together.
/// </summary>
public static class DatasetCatalogue
{
    private static readonly string[] FashionMirrors =
    [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ];

    private static readonly string[] MnistMirrors =
    [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ];

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DebianFashionDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Zalando's ten clothing classes, by label index.</summary>
    public static readonly IReadOnlyList<string> FashionClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Digits 0–9.</summary>
    public static readonly IReadOnlyList<string> DigitClassNames = [.. Enumerable.Range(0, 10).Select(i => i.ToString())];

    private const string FashionLicence = "MIT (Copyright (c) 2017 Zalando SE)";
    private const string FashionSystemFix =
        "It belongs to the Debian package; reinstall dataset-fashion-mnist (sudo apt-get install --reinstall dataset-fashion-mnist).";

    /// <summary>Fashion-MNIST: the course default. Content hashes measured from Debian's copy of Zalando's data.</summary>
    public static DatasetInfo FashionMnist { get; } = new(
        "fashion-mnist", "Fashion-MNIST", FashionClassNames, 0.2860f, 0.3530f, FashionLicence,
        Entry("train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", null, 47_040_016, FashionMirrors),
        Entry("train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", null, 60_008, FashionMirrors),
        Entry("t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", null, 7_840_016, FashionMirrors),
        Entry("t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", null, 10_008, FashionMirrors),
        [DebianFashionDirectory], FashionSystemFix,
        "Install it with `sudo apt-get install dataset-fashion-mnist`, or check the network so it can be downloaded, " +
        "or use DatasetSize.Sample to work offline.");

    /// <summary>
    /// The committed balanced sample of Fashion-MNIST (<c>datasets/sample/fashion-mnist/</c>), made by
    /// <see cref="SampleMaker"/>. Not downloadable: it lives in the repository. Archive hashes are of the
    /// committed .gz files; a regenerated sample may gzip differently, which the content hashes tolerate.
    /// </summary>
    public static DatasetInfo FashionMnistSample { get; } = new(
        "fashion-mnist-sample", "Fashion-MNIST sample", FashionClassNames, 0.2860f, 0.3530f, FashionLicence,
        Entry("train-images-idx3-ubyte", "cdeb411a6b520f8ea7368410defc626a4fa367725ed8d3ba96fd393905af06a5", "d0852d8eb59cc3be6fd99036ad81ff11223766607e5b1684dac8d23570077c4d", 2000L * 784 + 16, []),
        Entry("train-labels-idx1-ubyte", "4ea33b8add516c4fa005504870545ecf40226b0fc60c5c50c4da391bbfd77537", "40ac9151232e779edeb6cdcd3c4ecedc5970c3a67cb747e4fbb412e99e23dcb7", 2000 + 8, []),
        Entry("t10k-images-idx3-ubyte", "1c3b660937491b06a7ce9f666950df0865a59db7e246dcfc083cc8eb22e1edd0", "83ee6d039e60203ef04bfc79f5aec748e8bc4f629d2095bb0e73ae1561592d10", 500L * 784 + 16, []),
        Entry("t10k-labels-idx1-ubyte", "a0734f2b7a47eb65513b221f54769967ff08390e2d8b6cf7480bf2ec02a18409", "4c3fa9949e758379affc38ca7f88a27e037ab28bce2837b9273016e69030eb4c", 500 + 8, []),
        [], "It is committed to the repository; restore it with `git checkout -- datasets/sample`.",
        "The sample ships in the repository under datasets/sample/fashion-mnist; run from inside the repository " +
        "(or set PRUNINGLAB_HOME to its root).");

    /// <summary>MNIST digits. No Debian package exists, so it is always downloaded (official archive hashes).</summary>
    public static DatasetInfo Mnist { get; } = new(
        "mnist", "MNIST", DigitClassNames, 0.1307f, 0.3081f, "CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)",
        Entry("train-images-idx3-ubyte", null, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 47_040_016, MnistMirrors),
        Entry("train-labels-idx1-ubyte", null, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 60_008, MnistMirrors),
        Entry("t10k-images-idx3-ubyte", null, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 7_840_016, MnistMirrors),
        Entry("t10k-labels-idx1-ubyte", null, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 10_008, MnistMirrors),
        [], "Delete it and run again to re-download.",
        "MNIST has no Debian package, so it must be downloaded from the mirrors; check the network (or put the four .gz files " +
        "into the cache directory by hand). Fashion-MNIST is the course default and works offline: FashionMnist.Load(...).");

    private static DatasetFileEntry Entry(string name, string? content, string? archive, long length, string[] mirrors) =>
        new(name, content, archive, length, [.. mirrors.Select(m => m + name + ".gz")]);
}
