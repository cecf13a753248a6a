using PruningLab.Models;
using PruningLab.Pruning;
using PruningLab.Quantization;
using PruningLab.Training;
using PruningLab.Tests.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Tests.Quantization;

/// <summary>k-means weight sharing: a hand-solved clustering, nearest-centroid assignment, and centroid fine-tuning whose step is computed by hand.</summary>
public class WeightSharingTests(SampleData sample) : IClassFixture<SampleData>
{
    private static float[] Flat(Tensor t) => t.detach().cpu().contiguous().flatten().data<float>().ToArray();
    private static long[] Codes(Tensor t) => t.cpu().contiguous().flatten().data<long>().ToArray();

    [Fact]
    public void Three_clusters_of_a_hand_made_layer()
    {
        // Linear initialisation: −1, 0.05, 1.1. Lloyd: {−1, −0.9}, {0.1, 0.2}, {1.0, 1.1} → −0.95, 0.15, 1.05, stable.
        using var w = tensor(new[] { -1f, 0f, -0.9f, 0.1f, 0f, 0.2f, 1.0f, 1.1f });
        using var q = WeightSharing.Cluster(w, clusters: 3);
        Assert.Equal(new long[] { 1, 0, 1, 2, 0, 2, 3, 3 }, Codes(q.Codes));
        Assert.Equal(new[] { -0.95f, 0f, -0.95f, 0.15f, 0f, 0.15f, 1.05f, 1.05f }, Flat(q.Values), new FloatTolerance(1e-6f));
        Assert.Equal(4, q.Levels);          // three centroids and zero
        Assert.Equal(2, q.CodeBits);
        Assert.Equal(3 * 32, q.SideBits);   // the fp32 codebook
        using var codebook = WeightSharing.Codebook(q);
        Assert.Equal(new[] { -0.95f, 0.15f, 1.05f }, Flat(codebook), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Every_survivor_sits_at_its_nearest_centroid_and_zeros_stay_zero()
    {
        using var g = new Generator(3);
        using var dense = randn(40, 50, generator: g);
        using var pruned = dense * (rand(40, 50, generator: g) > 0.8f);
        using var q = WeightSharing.Cluster(pruned, clusters: 15);
        using var codebook = WeightSharing.Codebook(q);
        var centroids = Flat(codebook);
        var w = Flat(pruned);
        var values = Flat(q.Values);
        var codes = Codes(q.Codes);
        for (var i = 0; i < w.Length; i++)
        {
            if (w[i] == 0) { Assert.Equal(0, codes[i]); Assert.Equal(0f, values[i]); continue; }
            var nearest = centroids.Min(c => Math.Abs(c - w[i]));
            Assert.True(Math.Abs(values[i] - w[i]) <= nearest + 1e-6, $"entry {i}: {w[i]} went to {values[i]}, a centroid {nearest} away exists");
        }
        // Each centroid is the mean of its members (Lloyd's fixed point).
        for (var c = 1; c <= 15; c++)
        {
            var members = w.Where((_, i) => codes[i] == c).ToArray();
            if (members.Length > 0) Assert.Equal(members.Average(), centroids[c - 1], 4);
        }
    }

    [Fact]
    public void Centroid_fine_tuning_moves_each_centroid_by_the_summed_gradient()
    {
        // y = w·x with w = [0.5, 0.5, −0.3, 0] (codes 1, 1, 2, 0) and loss = y on the single input x = [1, 2, 3, 4]:
        // ∂L/∂w = x. The shared gradient of code 1 is 1 + 2 = 3, of code 2 it is 3, and code 0 gets none.
        // One SGD step at lr 0.1 without momentum: 0.5 − 0.3 = 0.2, −0.3 − 0.3 = −0.6, and 0 stays 0.
        using var model = nn.Linear(4, 1, hasBias: false);
        var weight = model.weight!;
        using (no_grad()) weight.copy_(tensor(new float[,] { { 0.5f, 0.5f, -0.3f, 0f } }));
        using var codes = tensor(new long[,] { { 1, 1, 2, 0 } });
        using var book = tensor(new[] { 0.5f, -0.3f });
        using var shared = WeightSharing.FromCodes(codes, book, "hand-made");
        using var hook = new CentroidFineTuning(model, new Dictionary<string, QuantizedWeight> { ["weight"] = shared });
        using var optimizer = optim.SGD(model.parameters(), 0.1);
        using var x = tensor(new float[,] { { 1f, 2f, 3f, 4f } });
        optimizer.zero_grad();
        using var loss = model.call(x).sum();
        loss.backward();
        hook.AfterBackward(model, 0);
        Assert.Equal(new[] { 3f, 3f, 3f, 0f }, Flat(weight.grad!), new FloatTolerance(1e-6f));
        optimizer.step();
        hook.AfterOptimizerStep(model, 0);
        Assert.Equal(new[] { 0.2f, 0.2f, -0.6f, 0f }, Flat(weight), new FloatTolerance(1e-6f));
        var result = hook.Result();
        using var after = result["weight"];
        using var codebook = WeightSharing.Codebook(after);
        Assert.Equal(new[] { 0.2f, -0.6f }, Flat(codebook), new FloatTolerance(1e-6f));
        Assert.Equal(Codes(codes), Codes(after.Codes));
    }

    [Fact]
    public void Fine_tuning_a_pruned_network_keeps_its_codebook_size_and_its_zeros()
    {
        using var data = sample.Train.Subset(256, seed: 2);
        using var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var masks = ModelMasks.For(model);
        masks.Prune(Scope.Global(0.9));
        var shared = ModelQuantization.KMeans(model, bits: 3);
        using var hook = new CentroidFineTuning(model, shared);
        Trainer.Fit(model, data, data, new TrainingOptions { Epochs = 1, BatchSize = 64, Hooks = [hook, masks.Hook], Progress = ProgressDisplay.None });
        foreach (var (name, weight) in MagnitudePruning.PrunableWeights(model))
        {
            var distinct = Flat(weight).Where(v => v != 0).Distinct().Count();
            Assert.True(distinct <= 7, $"{name} holds {distinct} distinct non-zero values; 3 bits allow 7");
            using var zero = shared[name].Codes.eq(0);
            using var stillZero = weight.detach().masked_select(zero).abs().sum();
            Assert.Equal(0f, stillZero.item<float>());
        }
        foreach (var q in shared.Values) q.Dispose();
    }
}
