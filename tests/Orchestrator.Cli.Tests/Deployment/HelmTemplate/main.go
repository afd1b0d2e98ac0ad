// Command helm-template renders a Helm chart's templates the way `helm template` does, for tests on a machine
// without helm: Go's text/template with sprig's functions (the engine and library helm uses) and helm's own
// additions (include, tpl, required, toYaml, fromYaml, toJson, lookup, .Files). It covers what a chart without
// subcharts uses; lookup finds nothing, as under `helm template`.
//
// Usage: helm-template CHART [-f values.yaml]... [--set key.path=value]... [--skip-schema-validation]
// Checks the values against the chart's values.schema.json as helm does (gojsonschema, helm's validator), then prints
// every rendered manifest after a "# Source:" line, in file order; exits 1 naming the problem.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/ghodss/yaml"
	"github.com/xeipuuv/gojsonschema"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "helm-template:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: helm-template CHART [-f values.yaml]... [--set key.path=value]... [--skip-schema-validation]")
	}
	chartDir := args[0]
	values, err := readYaml(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return err
	}
	validate := true
	for i := 1; i < len(args); i += 2 {
		if args[i] == "--skip-schema-validation" {
			validate = false
			i--
			continue
		}
		if i+1 >= len(args) {
			return fmt.Errorf("%s needs a value", args[i])
		}
		switch args[i] {
		case "-f":
			extra, err := readYaml(args[i+1])
			if err != nil {
				return err
			}
			merge(values, extra)
		case "--set":
			if err := set(values, args[i+1]); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown argument %q", args[i])
		}
	}
	chart, err := readYaml(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return err
	}
	if validate {
		if err := validateValues(filepath.Join(chartDir, "values.schema.json"), fmt.Sprint(chart["name"]), values); err != nil {
			return err
		}
	}
	files, err := readFiles(chartDir)
	if err != nil {
		return err
	}
	name := fmt.Sprint(chart["name"])
	top := map[string]interface{}{
		"Values":       values,
		"Chart":        map[string]interface{}{"Name": chart["name"], "Version": chart["version"], "AppVersion": chart["appVersion"]},
		"Release":      map[string]interface{}{"Name": "release", "Namespace": "default", "Service": "Helm", "Revision": 1, "IsInstall": true, "IsUpgrade": false},
		"Files":        files,
		"Capabilities": map[string]interface{}{"KubeVersion": map[string]interface{}{"Version": "v1.29.0"}},
	}
	templates, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	if err != nil {
		return err
	}
	sort.Strings(templates)
	root := template.New(name)
	root.Funcs(functions(root))
	for _, file := range templates {
		text, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		if _, err := root.New(name + "/templates/" + filepath.Base(file)).Parse(string(text)); err != nil {
			return err
		}
	}
	var out bytes.Buffer
	for _, file := range templates {
		base := filepath.Base(file)
		if strings.HasPrefix(base, "_") || base == "NOTES.txt" {
			continue
		}
		id := name + "/templates/" + base
		var rendered bytes.Buffer
		data := withTemplate(top, id)
		if err := root.ExecuteTemplate(&rendered, id, data); err != nil {
			return err
		}
		text := strings.ReplaceAll(rendered.String(), "<no value>", "")
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", id, strings.TrimSpace(text))
	}
	_, err = os.Stdout.Write(out.Bytes())
	return err
}

// validateValues checks the merged values against the chart's schema, if it has one, with helm's wording.
func validateValues(schemaFile, chartName string, values map[string]interface{}) error {
	schema, err := os.ReadFile(schemaFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	document, err := json.Marshal(values)
	if err != nil {
		return err
	}
	result, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema), gojsonschema.NewBytesLoader(document))
	if err != nil {
		return fmt.Errorf("%s: %w", schemaFile, err)
	}
	if result.Valid() {
		return nil
	}
	var problems strings.Builder
	for _, problem := range result.Errors() {
		fmt.Fprintf(&problems, "- %s\n", problem)
	}
	return fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s:\n%s", chartName, problems.String())
}

func withTemplate(top map[string]interface{}, id string) map[string]interface{} {
	data := map[string]interface{}{}
	for k, v := range top {
		data[k] = v
	}
	data["Template"] = map[string]interface{}{"Name": id, "BasePath": path.Dir(id)}
	return data
}

// functions are sprig's text functions without env access, plus helm's own.
func functions(root *template.Template) template.FuncMap {
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		err := root.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		if t, err = t.New("tpl").Parse(text); err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = t.Execute(&buf, data)
		return strings.ReplaceAll(buf.String(), "<no value>", ""), err
	}
	funcs["required"] = func(message string, value interface{}) (interface{}, error) {
		if value == nil {
			return nil, errors.New(message)
		}
		if s, ok := value.(string); ok && s == "" {
			return nil, errors.New(message)
		}
		return value, nil
	}
	funcs["toYaml"] = func(value interface{}) string {
		data, err := yaml.Marshal(value)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	funcs["fromYaml"] = func(text string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(text), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["toJson"] = func(value interface{}) string {
		data, _ := json.Marshal(value)
		return string(data)
	}
	funcs["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	return funcs
}

// Files is the chart's non-template files, as helm's .Files.
type Files map[string][]byte

func (f Files) Get(name string) string { return string(f[name]) }

func (f Files) Glob(pattern string) Files {
	matched := Files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			matched[name] = data
		}
	}
	return matched
}

// AsConfig is the files as a ConfigMap's data: base name to content, in YAML.
func (f Files) AsConfig() string {
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = string(data)
	}
	out, err := yaml.Marshal(m)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

func readFiles(chartDir string) (Files, error) {
	files := Files{}
	err := filepath.Walk(chartDir, func(file string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		relative, err := filepath.Rel(chartDir, file)
		if err != nil {
			return err
		}
		relative = filepath.ToSlash(relative)
		if strings.HasPrefix(relative, "templates/") || relative == "Chart.yaml" || relative == "values.yaml" {
			return nil
		}
		data, err := os.ReadFile(file)
		files[relative] = data
		return err
	})
	return files, err
}

func readYaml(file string) (map[string]interface{}, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return m, nil
}

// merge lays extra over base as helm layers values files: maps merge key by key, anything else replaces.
func merge(base, extra map[string]interface{}) {
	for k, v := range extra {
		if sub, ok := v.(map[string]interface{}); ok {
			if inner, ok := base[k].(map[string]interface{}); ok {
				merge(inner, sub)
				continue
			}
		}
		base[k] = v
	}
}

// set applies one --set key.path=value with helm's typing: integers, true/false and null, {a,b} lists, else a string.
func set(values map[string]interface{}, assignment string) error {
	eq := strings.Index(assignment, "=")
	if eq <= 0 {
		return fmt.Errorf("--set %q is not key.path=value", assignment)
	}
	keys := strings.Split(assignment[:eq], ".")
	node := values
	for _, key := range keys[:len(keys)-1] {
		child, ok := node[key].(map[string]interface{})
		if !ok {
			child = map[string]interface{}{}
			node[key] = child
		}
		node = child
	}
	text := assignment[eq+1:]
	if strings.HasPrefix(text, "{") && strings.HasSuffix(text, "}") {
		var list []interface{}
		for _, item := range strings.Split(text[1:len(text)-1], ",") {
			list = append(list, typed(item))
		}
		node[keys[len(keys)-1]] = list
	} else {
		node[keys[len(keys)-1]] = typed(text)
	}
	return nil
}

func typed(text string) interface{} {
	switch text {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n
	}
	return text
}
