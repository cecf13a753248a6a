using PruningLab.Data;
using PruningLab.Experiments;
using PruningLab.Models;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Tests.Experiments;

/// <summary>
/// Lessons 05–07's study on a freshly initialised LeNet-300-100 and the bundled sample of Fashion-MNIST: every method
/// prunes exactly the asked share of all weights, leaves the dense model untouched, and layer-wise OBS with global
/// magnitude's shares prunes each layer exactly as much as global magnitude does.
/// </summary>
public class SaliencyStudyTests
{
    [Fact]
    public void Every_method_prunes_exactly_the_asked_share_and_never_touches_the_dense_model()
    {
        using var data = CourseData.FashionMnist(DatasetSize.Sample);
        using var dense = ModelZoo.Create(ModelZoo.LeNet300100, seed: 3);
        var before = dense.parameters().Select(p => p.detach().clone()).ToList();
        using var criteria = SaliencyStudy.Criteria.Calibrate(dense, data);
        Assert.Equal(SaliencyStudy.Methods.Count, SaliencyStudy.Methods.Distinct().Count());
        foreach (var method in SaliencyStudy.Methods)
        {
            using var copy = ModelZoo.Copy(dense);
            using var masks = ModelMasks.For(copy);
            SaliencyStudy.Prune(masks, dense, data, method, 0.8, criteria);
            Assert.True(Math.Abs(masks.Sparsity - 0.8) < 1e-5, $"{method}: {masks.Sparsity}");
            Assert.False(masks.Names.Any(n => masks[n].eq(0).logical_and(copy.state_dict()[n].ne(0)).any().item<bool>()), $"{method}: a pruned weight is not zero");
            if (method == SaliencyStudy.GlobalObs)
                foreach (var (layer, share) in SaliencyStudy.GlobalShares(dense, 0.8))
                    Assert.Equal(share, masks[layer].eq(0).sum().item<long>() / (double)masks[layer].numel(), 9);
        }
        Assert.All(dense.parameters().Zip(before), p => Assert.True(p.First.eq(p.Second).all().item<bool>()));
        Assert.Contains("Unknown method", Assert.Throws<ArgumentException>(() =>
        {
            using var masks = ModelMasks.For(ModelZoo.Copy(dense));
            SaliencyStudy.Prune(masks, dense, data, "by guesswork", 0.5, criteria);
        }).Message);
    }
}
