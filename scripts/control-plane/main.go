// vc-k8s is one binary that holds the whole control plane vipcheck's local
// provider runs: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kube-proxy, each from its upstream module.
//
// It picks the component from the name it was started under (the build
// script makes one symlink per component, all with the vc- prefix so that
// every process of ours can be found and reclaimed), or from its first
// argument: `vc-k8s kube-apiserver --flags…`.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "time/tzdata" // CronJob time zones, as the upstream mains do

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

var components = map[string]func() *cobra.Command{
	"kube-apiserver":          apiserver.NewAPIServerCommand,
	"kube-controller-manager": controllermanager.NewControllerManagerCommand,
	"kube-scheduler":          func() *cobra.Command { return scheduler.NewSchedulerCommand() },
	"kube-proxy":              proxy.NewProxyCommand,
}

func main() {
	name := strings.TrimPrefix(filepath.Base(os.Args[0]), "vc-")
	args := os.Args[1:]
	if name == "k8s" {
		if len(args) == 0 {
			usage()
		}
		name, args = strings.TrimPrefix(args[0], "vc-"), args[1:]
	}
	if name == "etcd" {
		etcdmain.Main(append([]string{"etcd"}, args...))
		return
	}
	newCommand, ok := components[name]
	if !ok {
		usage()
	}
	command := newCommand()
	command.SetArgs(args)
	os.Exit(cli.Run(command))
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: vc-k8s etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kube-proxy [flags]")
	os.Exit(2)
}
