#include "plugins/container/container_naming.h"

#include <gtest/gtest.h>

#include <string>

namespace cistern::plugins::container {
namespace {

const std::string kId = "3f4e9c1b2a7d8e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
const std::string kUid = "0d3b6b4e-1c2a-4f5e-9a8b-7c6d5e4f3a2b";
const std::string kUidSystemd = "0d3b6b4e_1c2a_4f5e_9a8b_7c6d5e4f3a2b";

void ExpectContainer(const std::string& path, Runtime runtime, const std::string& pod_uid = "") {
  CgroupIdentity id = IdentifyCgroup(path);
  EXPECT_TRUE(id.is_container()) << path;
  EXPECT_EQ(id.container_id, kId) << path;
  EXPECT_EQ(id.runtime, runtime) << path;
  EXPECT_EQ(id.pod_uid, pod_uid) << path;
}

void ExpectNotContainer(const std::string& path) {
  CgroupIdentity id = IdentifyCgroup(path);
  EXPECT_FALSE(id.is_container()) << path;
  EXPECT_EQ(id.runtime, Runtime::kNone) << path;
}

TEST(IdentifyCgroupTest, DockerWithCgroupfsDriver) { ExpectContainer("/docker/" + kId, Runtime::kDocker); }

TEST(IdentifyCgroupTest, DockerWithSystemdDriver) {
  ExpectContainer("/system.slice/docker-" + kId + ".scope", Runtime::kDocker);
}

TEST(IdentifyCgroupTest, DockerInDockerIsTheInnerContainer) {
  const std::string outer = "1111111111111111111111111111111111111111111111111111111111111111";
  ExpectContainer("/docker/" + outer + "/docker/" + kId, Runtime::kDocker);
}

TEST(IdentifyCgroupTest, ContainerdUnderKubepodsWithSystemdDriverForEveryQosClass) {
  ExpectContainer("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSystemd +
                      ".slice/cri-containerd-" + kId + ".scope",
                  Runtime::kContainerd, kUid);
  ExpectContainer("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kUidSystemd +
                      ".slice/cri-containerd-" + kId + ".scope",
                  Runtime::kContainerd, kUid);
  ExpectContainer("/kubepods.slice/kubepods-pod" + kUidSystemd + ".slice/cri-containerd-" + kId + ".scope",
                  Runtime::kContainerd, kUid);
}

TEST(IdentifyCgroupTest, CrioUnderKubepodsWithSystemdDriver) {
  ExpectContainer("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSystemd +
                      ".slice/crio-" + kId + ".scope",
                  Runtime::kCrio, kUid);
}

TEST(IdentifyCgroupTest, CrioUnderKubepodsWithCgroupfsDriver) {
  ExpectContainer("/kubepods/besteffort/pod" + kUid + "/crio-" + kId, Runtime::kCrio, kUid);
}

TEST(IdentifyCgroupTest, KubepodsWithCgroupfsDriverLeavesTheRuntimeUnknown) {
  ExpectContainer("/kubepods/burstable/pod" + kUid + "/" + kId, Runtime::kUnknown, kUid);
  ExpectContainer("/kubepods/besteffort/pod" + kUid + "/" + kId, Runtime::kUnknown, kUid);
  ExpectContainer("/kubepods/pod" + kUid + "/" + kId, Runtime::kUnknown, kUid);  // guaranteed
}

TEST(IdentifyCgroupTest, DockershimWithSystemdDriver) {
  ExpectContainer("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSystemd +
                      ".slice/docker-" + kId + ".scope",
                  Runtime::kDocker, kUid);
}

TEST(IdentifyCgroupTest, PodmanWithSystemdAndCgroupfsManagers) {
  ExpectContainer("/machine.slice/libpod-" + kId + ".scope", Runtime::kPodman);
  ExpectContainer("/machine.slice/machine-libpod_pod_0123.slice/libpod-" + kId + ".scope", Runtime::kPodman);
  ExpectContainer("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope",
                  Runtime::kPodman);
  ExpectContainer("/libpod_parent/libpod-" + kId, Runtime::kPodman);
}

TEST(IdentifyCgroupTest, NerdctlAndContainerdNamespaces) {
  ExpectContainer("/system.slice/nerdctl-" + kId + ".scope", Runtime::kContainerd);
  ExpectContainer("/default/" + kId, Runtime::kUnknown);
}

TEST(IdentifyCgroupTest, RuntimeHelperScopesAreNotContainers) {
  ExpectNotContainer("/machine.slice/libpod-conmon-" + kId + ".scope");
  ExpectNotContainer("/kubepods.slice/kubepods-pod" + kUidSystemd + ".slice/crio-conmon-" + kId + ".scope");
}

TEST(IdentifyCgroupTest, PodSlicesCarryTheUidButAreNotContainers) {
  CgroupIdentity pod = IdentifyCgroup("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
                                      kUidSystemd + ".slice");
  EXPECT_FALSE(pod.is_container());
  EXPECT_EQ(pod.pod_uid, kUid);
  EXPECT_EQ(IdentifyCgroup("/kubepods/burstable/pod" + kUid).pod_uid, kUid);
  ExpectNotContainer("/kubepods.slice/kubepods-burstable.slice");
  ExpectNotContainer("/kubepods");
}

TEST(IdentifyCgroupTest, SystemdServicesAndSlicesAreNotContainers) {
  ExpectNotContainer("/");
  ExpectNotContainer("/system.slice");
  ExpectNotContainer("/system.slice/nginx.service");
  ExpectNotContainer("/system.slice/docker.service");
  ExpectNotContainer("/init.scope");
  ExpectNotContainer("/user.slice/user-1000.slice/session-3.scope");
  ExpectNotContainer("/docker");
}

TEST(IdentifyCgroupTest, ContainerSubgroupsAreNotTheContainer) {
  // systemd inside a container, podman's --cgroups=split: the child is not the container.
  ExpectNotContainer("/system.slice/docker-" + kId + ".scope/init.scope");
  ExpectNotContainer("/machine.slice/libpod-" + kId + ".scope/container");
}

TEST(IdentifyCgroupTest, IdsMustBe64LowercaseHexDigits) {
  ExpectNotContainer("/docker/" + kId.substr(1));
  ExpectNotContainer("/docker/3F4E9C1B2A7D8E6F5A4B3C2D1E0F9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F");
  ExpectNotContainer("/system.slice/docker-" + kId.substr(0, 12) + ".scope");
}

TEST(IdentifyCgroupTest, PodUidOnlyUnderKubepods) {
  EXPECT_EQ(IdentifyCgroup("/other/pod" + kUid + "/" + kId).pod_uid, "");
}

TEST(RuntimeNameTest, NamesEveryRuntime) {
  EXPECT_EQ(RuntimeName(Runtime::kDocker), "docker");
  EXPECT_EQ(RuntimeName(Runtime::kContainerd), "containerd");
  EXPECT_EQ(RuntimeName(Runtime::kCrio), "cri-o");
  EXPECT_EQ(RuntimeName(Runtime::kPodman), "podman");
  EXPECT_EQ(RuntimeName(Runtime::kUnknown), "");
}

}  // namespace
}  // namespace cistern::plugins::container
