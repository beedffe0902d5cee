// Marks the page as having JavaScript, as the NHS design system expects, from a file rather than an
// inline script so that the Content-Security-Policy can forbid inline scripts.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');
