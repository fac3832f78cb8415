import{n as e}from"./rolldown-runtime-WkwZ5CU-.js";import{V as t,a as n,c as r,l as i,n as a,o,r as s,t as c}from"./Status-Cfjam2fZ.js";import{a as l}from"./index-BkfBxOgz.js";var u=e(t(),1),d=o(),f=n(`
  query Programs {
    programs(first: 50) {
      nodes {
        id
        name
        status
        startsOn
        endsOn
        description
      }
    }
  }
`),p=n(`
  mutation CreateProgram($input: ProgramInput!) {
    createProgram(input: $input) {
      id
      name
    }
  }
`);function m(){let[{data:e,fetching:t,error:n},o]=i({query:f}),[m,h]=r(p),[g,_]=(0,u.useState)(``),[v,y]=(0,u.useState)(``),[b,x]=(0,u.useState)(``),[S,C]=(0,u.useState)(``);return(0,d.jsxs)(`section`,{"aria-labelledby":`programs-heading`,children:[(0,d.jsx)(`h1`,{id:`programs-heading`,children:`Programs`}),t&&!e&&(0,d.jsx)(s,{what:`the programs`}),(0,d.jsx)(a,{error:n}),e&&e.programs.nodes.length===0&&(0,d.jsx)(c,{children:`No programs yet.`}),(0,d.jsx)(`ul`,{className:`cards`,children:e?.programs.nodes.map(e=>(0,d.jsxs)(`li`,{className:`card`,children:[(0,d.jsxs)(`h2`,{children:[(0,d.jsx)(l,{to:`/ospo/programs/${e.id}`,children:e.name}),(0,d.jsx)(`span`,{className:`badge state-${e.status.toLowerCase()}`,children:e.status.toLowerCase()})]}),(0,d.jsxs)(`p`,{className:`meta`,children:[e.startsOn,` to `,e.endsOn]}),e.description&&(0,d.jsx)(`p`,{children:e.description})]},e.id))}),(0,d.jsxs)(`form`,{className:`card`,onSubmit:async e=>{e.preventDefault(),(await h({input:{name:g.trim(),startsOn:v,endsOn:b,description:S.trim()||void 0}})).error||(_(``),C(``),o({requestPolicy:`network-only`}))},"aria-labelledby":`new-program`,children:[(0,d.jsx)(`h2`,{id:`new-program`,children:`New program`}),(0,d.jsx)(`label`,{htmlFor:`program-name`,children:`Name`}),(0,d.jsx)(`input`,{id:`program-name`,value:g,onChange:e=>_(e.target.value),required:!0}),(0,d.jsx)(`label`,{htmlFor:`program-start`,children:`Starts on`}),(0,d.jsx)(`input`,{id:`program-start`,type:`date`,value:v,onChange:e=>y(e.target.value),required:!0}),(0,d.jsx)(`label`,{htmlFor:`program-end`,children:`Ends on`}),(0,d.jsx)(`input`,{id:`program-end`,type:`date`,value:b,onChange:e=>x(e.target.value),required:!0}),(0,d.jsx)(`label`,{htmlFor:`program-description`,children:`Description (optional)`}),(0,d.jsx)(`textarea`,{id:`program-description`,rows:2,value:S,onChange:e=>C(e.target.value)}),(0,d.jsx)(`button`,{type:`submit`,className:`primary`,disabled:m.fetching,children:`Create program`}),(0,d.jsx)(a,{error:m.error})]})]})}export{m as default};