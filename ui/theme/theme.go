// Package theme maps a small semantic palette to Lip Gloss and Bubbles styles.
// Screens use the semantic names (OK, Err, Muted...) and never raw colours,
// so dark, light and NO_COLOR all come from one place.
package theme

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// Palette is the semantic colour set.
type Palette struct {
	Fg, Muted, Subtle, Accent, OK, Warn, Err, Info, Secret, Border, SelectedBg, BadgeFg color.Color
}

// Styles are ready-made styles built from a Palette. Build with New; pass by pointer.
type Styles struct {
	Dark    bool
	NoColor bool
	P       Palette

	Title, Header, HeaderDim, Badge, Breadcrumb, BreadcrumbSep lipgloss.Style
	Text, Muted, Subtle, Accent, Bold                          lipgloss.Style
	OK, Warn, Err, Info, Secret                                lipgloss.Style
	Selected, Cursor, Key, KeyDesc                             lipgloss.Style
	Box, Dialog, Toast, ToastOK, ToastWarn, ToastErr           lipgloss.Style
	TableHeader, Cell                                          lipgloss.Style
	Help                                                       help.Styles
	Input                                                      textinput.Styles
}

// New builds the styles for a dark or light background. noColor drops all
// colour (NO_COLOR) but keeps bold/reverse so selection stays visible.
func New(isDark, noColor bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	p := Palette{
		Fg:         ld(lipgloss.Color("#1F2328"), lipgloss.Color("#E6EDF3")),
		Muted:      ld(lipgloss.Color("#59636E"), lipgloss.Color("#9198A1")),
		Subtle:     ld(lipgloss.Color("#818B98"), lipgloss.Color("#656C76")),
		Accent:     ld(lipgloss.Color("#0969DA"), lipgloss.Color("#4493F8")),
		OK:         ld(lipgloss.Color("#1A7F37"), lipgloss.Color("#3FB950")),
		Warn:       ld(lipgloss.Color("#9A6700"), lipgloss.Color("#D29922")),
		Err:        ld(lipgloss.Color("#CF222E"), lipgloss.Color("#F85149")),
		Info:       ld(lipgloss.Color("#8250DF"), lipgloss.Color("#AB7DF8")),
		Secret:     ld(lipgloss.Color("#BC4C00"), lipgloss.Color("#DB6D28")),
		Border:     ld(lipgloss.Color("#D1D9E0"), lipgloss.Color("#3D444D")),
		SelectedBg: ld(lipgloss.Color("#DDF4FF"), lipgloss.Color("#1F3A5F")),
		BadgeFg:    ld(lipgloss.Color("#FFFFFF"), lipgloss.Color("#0D1117")),
	}
	s := &Styles{Dark: isDark, NoColor: noColor, P: p}
	fg := func(c color.Color) lipgloss.Style {
		if noColor {
			return lipgloss.NewStyle()
		}
		return lipgloss.NewStyle().Foreground(c)
	}
	s.Text = fg(p.Fg)
	s.Muted = fg(p.Muted)
	s.Subtle = fg(p.Subtle)
	s.Accent = fg(p.Accent)
	s.Bold = lipgloss.NewStyle().Bold(true)
	s.OK = fg(p.OK)
	s.Warn = fg(p.Warn)
	s.Err = fg(p.Err).Bold(true)
	s.Info = fg(p.Info)
	s.Secret = fg(p.Secret)
	s.Title = fg(p.Accent).Bold(true)
	s.Header = fg(p.Fg).Bold(true)
	s.HeaderDim = fg(p.Muted)
	s.Breadcrumb = fg(p.Fg)
	s.BreadcrumbSep = fg(p.Subtle)
	s.Key = fg(p.Accent).Bold(true)
	s.KeyDesc = fg(p.Muted)
	s.TableHeader = fg(p.Muted).Bold(true)
	s.Cell = fg(p.Fg)
	s.Cursor = fg(p.Accent).Bold(true)
	border := func(st lipgloss.Style) lipgloss.Style {
		st = st.Border(lipgloss.RoundedBorder())
		if !noColor {
			st = st.BorderForeground(p.Border)
		}
		return st
	}
	s.Box = border(lipgloss.NewStyle()).Padding(0, 1)
	s.Dialog = border(lipgloss.NewStyle()).Padding(1, 2)
	s.Toast = border(lipgloss.NewStyle()).Padding(0, 1)
	s.ToastOK, s.ToastWarn, s.ToastErr = s.Toast, s.Toast, s.Toast
	if noColor {
		s.Selected = lipgloss.NewStyle().Reverse(true)
		s.Badge = lipgloss.NewStyle().Reverse(true).Bold(true).Padding(0, 1)
	} else {
		s.Selected = lipgloss.NewStyle().Background(p.SelectedBg).Foreground(p.Fg).Bold(true)
		s.Badge = lipgloss.NewStyle().Background(p.Warn).Foreground(p.BadgeFg).Bold(true).Padding(0, 1)
		s.Dialog = s.Dialog.BorderForeground(p.Accent)
		s.ToastOK = s.Toast.BorderForeground(p.OK)
		s.ToastWarn = s.Toast.BorderForeground(p.Warn)
		s.ToastErr = s.Toast.BorderForeground(p.Err)
	}
	// The footer is read all the time: keys in the muted text colour (bold),
	// descriptions one step dimmer; bubbles' defaults were too dark to read.
	s.Help = help.Styles{
		Ellipsis:       fg(p.Subtle),
		ShortKey:       fg(p.Muted).Bold(true),
		ShortDesc:      fg(p.Subtle),
		ShortSeparator: fg(p.Subtle),
		FullKey:        fg(p.Muted).Bold(true),
		FullDesc:       fg(p.Subtle),
		FullSeparator:  fg(p.Subtle),
	}
	s.Input = textinput.DefaultStyles(isDark)
	if noColor {
		s.Help = help.Styles{}
	}
	return s
}
